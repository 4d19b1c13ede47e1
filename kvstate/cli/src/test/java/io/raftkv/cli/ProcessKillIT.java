package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.StatusResponse;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three `deploy/bin/raftkv server` processes, killed with SIGKILL and restarted while clients write:
 * every acknowledged write is present afterwards, at the version it was acknowledged with (so none was
 * applied twice).
 */
class ProcessKillIT {
  private static final Path REPO = Path.of(System.getProperty("raftkv.repo", "../.."));
  private static final Path RAFTKV = REPO.resolve("deploy/bin/raftkv");

  @TempDir
  Path dir;

  private final Process[] processes = new Process[4];
  private final int[] clientPorts = new int[4];
  private final int[] peerPorts = new int[4];

  @AfterEach
  void killAll() {
    for (Process p : processes) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private String peers() {
    return "1=127.0.0.1:" + peerPorts[1] + ",2=127.0.0.1:" + peerPorts[2] + ",3=127.0.0.1:" + peerPorts[3];
  }

  private void start(int id) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(RAFTKV.toString(), "server", "--id", String.valueOf(id),
        "--client-addr", "127.0.0.1:" + clientPorts[id], "--peer-addr", "127.0.0.1:" + peerPorts[id],
        "--peers", peers(), "--data-dir", dir.resolve("n" + id).toString(), "--tick-ms", "50");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("n" + id + ".log").toFile()));
    processes[id] = pb.start();
  }

  private List<String> endpoints() {
    return List.of("127.0.0.1:" + clientPorts[1], "127.0.0.1:" + clientPorts[2], "127.0.0.1:" + clientPorts[3]);
  }

  @Test
  void acknowledgedWritesSurviveKillNineAndNoneAppliesTwice() throws Exception {
    assertThat(Files.isExecutable(RAFTKV)).as("%s (built by mvn package)", RAFTKV).isTrue();
    for (int id = 1; id <= 3; id++) {
      clientPorts[id] = freePort();
      peerPorts[id] = freePort();
    }
    for (int id = 1; id <= 3; id++) {
      start(id);
    }
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger unknown = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(4);
    List<Future<?>> futures = new ArrayList<>();
    try (RaftKvClient client = RaftKvClient.connect(endpoints(), Duration.ofSeconds(20))) {
      awaitLeader(client);
      for (int w = 0; w < 4; w++) {
        int writer = w;
        futures.add(writers.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            String key = "w" + writer + "-" + i;
            try {
              WriteResponse r = client.put(ByteString.copyFromUtf8(key), ByteString.copyFromUtf8("v" + i));
              acknowledged.put(key, r.getIndex());
            } catch (RaftKvException e) {
              unknown.incrementAndGet(); // outcome unknown: may or may not have applied
            }
          }
        }));
      }
      Random random = new Random(42);
      for (int round = 0; round < 4; round++) {
        Thread.sleep(2_000);
        int victim = 1 + random.nextInt(3);
        processes[victim].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(1_500);
        start(victim);
      }
      Thread.sleep(2_000);
      stop.set(true);
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertThat(acknowledged).as("writes acknowledged while nodes were killed").hasSizeGreaterThan(20);
      for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
        Optional<KeyValue> kv = client.get(ByteString.copyFromUtf8(e.getKey()));
        assertThat(kv).as("acknowledged key %s", e.getKey()).isPresent();
        assertThat(kv.get().getVersion()).as("version of %s (a second application would change it)", e.getKey())
            .isEqualTo(e.getValue());
      }
    } finally {
      writers.shutdownNow();
    }
  }

  private static void awaitLeader(RaftKvClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String endpoint : client.endpoints()) {
        try {
          StatusResponse s = client.status(endpoint);
          if (s.getLeaderId() != 0) {
            return;
          }
        } catch (RaftKvException e) {
          // not up yet
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no leader within 60 s");
  }
}
