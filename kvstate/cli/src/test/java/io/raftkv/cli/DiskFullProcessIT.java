package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.server.node.NodeDefaults;
import io.raftkv.testkit.FreePorts;
import io.raftkv.testkit.LeaderWaits;
import io.raftkv.testkit.SmallDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A `raftkv server` process (serving TLS) whose data directory is on a small tmpfs that fills up: the process exits
 * with the storage-failure code and says why in its log, and so does a restart while the disk is still
 * full (at its first failed write); once space is freed, a restart has every write that was acknowledged. Mounting needs root (CI runs as root); elsewhere the test is skipped.
 */
class DiskFullProcessIT {
  private static final Path REPO = Path.of(System.getProperty("raftkv.repo", "../.."));
  private static final Path RAFTKV = REPO.resolve("deploy/bin/raftkv");
  /** Big enough for RocksDB to open and preallocate its write-ahead log; the rest is filled up. */
  private static final String TMPFS_SIZE = "128m";
  private static Path mountPoint;
  private static SmallDisk disk;

  @TempDir
  Path logs;

  private Process server;
  private ProcessTls tls;

  @BeforeAll
  static void mountSmallDisk() throws Exception {
    mountPoint = Files.createTempDirectory("raftkv-full-disk");
    try {
      disk = SmallDisk.mount(mountPoint, TMPFS_SIZE);
    } finally {
      if (disk == null) {
        Files.deleteIfExists(mountPoint);
      }
    }
  }

  @AfterAll
  static void unmount() throws Exception {
    if (disk != null) {
      disk.close();
      Files.deleteIfExists(mountPoint);
    }
  }

  @AfterEach
  void killServer() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  private Process startServer(int clientPort, int peerPort, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(RAFTKV.toString(), "server", "--id", "1",
        "--client-addr", "127.0.0.1:" + clientPort, "--peer-addr", "127.0.0.1:" + peerPort,
        "--peers", "1=127.0.0.1:" + peerPort, "--data-dir", mountPoint.resolve("n1").toString(), "--tick-ms", "50"));
    command.addAll(tls.serverFlags(1));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return pb.start();
  }

  @Test
  void fullDiskStopsTheServerWithTheStorageFailureCodeAndARestartKeepsEveryAcknowledgedWrite() throws Exception {
    assertThat(Files.isExecutable(RAFTKV)).as("%s (built by mvn package)", RAFTKV).isTrue();
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    int clientPort = FreePorts.freePort(taken);
    int peerPort = FreePorts.freePort(taken);
    // The certificates stay off the small disk, which the test fills.
    tls = ProcessTls.issue(logs.resolve("certs"), NodeDefaults.CLUSTER_ID, 1);
    Path firstLog = logs.resolve("first.log");
    server = startServer(clientPort, peerPort, firstLog);
    Map<String, Long> acknowledged = new LinkedHashMap<>();
    try (RaftKvClient client = tls.client(List.of("127.0.0.1:" + clientPort), Duration.ofSeconds(10))) {
      LeaderWaits.awaitKnownLeader(client);
      for (int i = 0; i < 20; i++) {
        String key = "before-" + i;
        acknowledged.put(key, client.put(ByteString.copyFromUtf8(key), ByteString.copyFromUtf8("v" + i)).getIndex());
      }
      disk.fill();
      writeUntilTheServerExits(client, "after-", acknowledged);
    }
    assertExitedOnTheFullDisk(firstLog);

    // Restarted before space is freed (as a supervisor would), it serves until a write fails again.
    Path stillFullLog = logs.resolve("still-full.log");
    server = startServer(clientPort, peerPort, stillFullLog);
    try (RaftKvClient client = tls.client(List.of("127.0.0.1:" + clientPort), Duration.ofSeconds(10))) {
      awaitLeaderOrExit(client);
      writeUntilTheServerExits(client, "still-full-", acknowledged);
    }
    assertExitedOnTheFullDisk(stillFullLog);

    disk.free();
    Path secondLog = logs.resolve("second.log");
    server = startServer(clientPort, peerPort, secondLog);
    try (RaftKvClient client = tls.client(List.of("127.0.0.1:" + clientPort), Duration.ofSeconds(10))) {
      LeaderWaits.awaitKnownLeader(client);
      for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
        Optional<KeyValue> kv = client.get(ByteString.copyFromUtf8(e.getKey()));
        assertThat(kv).as("acknowledged key %s after the restart", e.getKey()).isPresent();
        assertThat(kv.get().getVersion()).as("version of %s", e.getKey()).isEqualTo(e.getValue());
      }
      // And it serves writes again.
      client.put(ByteString.copyFromUtf8("after-restart"), ByteString.copyFromUtf8("x"));
    }
  }

  /** Writes big values until the server exits; a bound keeps a server that never does from hanging the test. */
  private void writeUntilTheServerExits(RaftKvClient client, String prefix, Map<String, Long> acknowledged) {
    ByteString value = ByteString.copyFrom(new byte[256 << 10]);
    for (int i = 0; i < 10_000 && server.isAlive(); i++) {
      String key = prefix + i;
      try {
        WriteResponse r = client.put(ByteString.copyFromUtf8(key), value);
        acknowledged.put(key, r.getIndex());
      } catch (RaftKvException e) {
        // outcome unknown (failed or timed out as the node stopped): not counted as acknowledged
      }
    }
  }

  /** Waits for a leader unless the server exits first (it may find the disk full while opening). */
  private void awaitLeaderOrExit(RaftKvClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (server.isAlive() && System.nanoTime() < deadline) {
      try {
        if (client.status(client.endpoints().get(0)).getLeaderId() != 0) {
          return;
        }
      } catch (RaftKvException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
  }

  private void assertExitedOnTheFullDisk(Path logFile) throws Exception {
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the server process exits on the full disk").isTrue();
    String log = Files.readString(logFile);
    assertThat(server.exitValue()).as("exit code; log:%n%s", log).isEqualTo(ExitCodes.STORAGE_FAILURE);
    assertThat(log).contains("storage failure").contains("No space left on device");
  }

}
