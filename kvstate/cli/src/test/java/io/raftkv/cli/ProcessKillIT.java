package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.KeyValue;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.ChangeStream;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.server.node.NodeDefaults;
import io.raftkv.testkit.FreePorts;
import io.raftkv.testkit.LeaderWaits;
import java.io.IOException;
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
 * Three `deploy/bin/raftkv server` processes serving TLS, killed with SIGKILL and restarted while clients write:
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
  private ProcessTls tls;

  @AfterEach
  void killAll() {
    for (Process p : processes) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }

  private String peers() {
    return "1=127.0.0.1:" + peerPorts[1] + ",2=127.0.0.1:" + peerPorts[2] + ",3=127.0.0.1:" + peerPorts[3];
  }

  private void start(int id) throws IOException {
    List<String> command = new ArrayList<>(List.of(RAFTKV.toString(), "server", "--id", String.valueOf(id),
        "--client-addr", "127.0.0.1:" + clientPorts[id], "--peer-addr", "127.0.0.1:" + peerPorts[id],
        "--peers", peers(), "--data-dir", dir.resolve("n" + id).toString(), "--tick-ms", "50"));
    command.addAll(tls.serverFlags(id));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("n" + id + ".log").toFile()));
    processes[id] = pb.start();
  }

  private List<String> endpoints() {
    return List.of("127.0.0.1:" + clientPorts[1], "127.0.0.1:" + clientPorts[2], "127.0.0.1:" + clientPorts[3]);
  }

  @Test
  void acknowledgedWritesSurviveKillNineAndNoneAppliesTwice() throws Exception {
    assertThat(Files.isExecutable(RAFTKV)).as("%s (built by mvn package)", RAFTKV).isTrue();
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    for (int id = 1; id <= 3; id++) {
      clientPorts[id] = FreePorts.freePort(taken);
      peerPorts[id] = FreePorts.freePort(taken);
    }
    tls = ProcessTls.issue(dir.resolve("certs"), NodeDefaults.CLUSTER_ID, 3);
    for (int id = 1; id <= 3; id++) {
      start(id);
    }
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger unknown = new AtomicInteger();
    ExecutorService writers = Executors.newFixedThreadPool(4);
    List<Future<?>> futures = new ArrayList<>();
    try (RaftKvClient client = tls.client(endpoints(), Duration.ofSeconds(20))) {
      LeaderWaits.awaitKnownLeader(client);
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
      // Every replica's change feed is the same sequence, with one event per applied write.
      long last = client.put(ByteString.copyFromUtf8("final"), ByteString.copyFromUtf8("x")).getIndex();
      List<List<String>> feeds = new ArrayList<>();
      for (String endpoint : endpoints()) {
        feeds.add(feedOf(endpoint, last));
      }
      assertThat(feeds.get(1)).as("feed of node 2 against node 1").isEqualTo(feeds.get(0));
      assertThat(feeds.get(2)).as("feed of node 3 against node 1").isEqualTo(feeds.get(0));
      Map<String, List<String>> eventsByKey = new java.util.HashMap<>();
      for (String event : feeds.get(0)) {
        eventsByKey.computeIfAbsent(event.split(" ")[2], k -> new ArrayList<>()).add(event);
      }
      for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
        assertThat(eventsByKey.get(e.getKey())).as("change events of %s", e.getKey())
            .containsExactly(e.getValue() + " CREATE " + e.getKey());
      }
    } finally {
      writers.shutdownNow();
    }
  }

  /** The change feed of one node from its start through index {@code last}, one line per event. */
  private List<String> feedOf(String endpoint, long last) throws Exception {
    List<String> events = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long seen = 0;
    try (RaftKvClient one = tls.client(List.of(endpoint), Duration.ofSeconds(20));
        ChangeStream stream = one.watch(WatchRequest.getDefaultInstance())) {
      while (seen < last) {
        assertThat(System.nanoTime()).as("feed of %s reaching index %s (at %s)", endpoint, last, seen)
            .isLessThan(deadline);
        WatchResponse response = stream.poll(Duration.ofMillis(500));
        if (response == null) {
          continue;
        }
        for (ChangeEvent event : response.getEventsList()) {
          seen = event.getIndex();
          if (seen <= last) {
            events.add(event.getIndex() + (event.getSubSequence() == 0 ? "" : "." + event.getSubSequence())
                + " " + event.getOp() + " " + event.getKey().toStringUtf8());
          }
        }
      }
    }
    return events;
  }
}
