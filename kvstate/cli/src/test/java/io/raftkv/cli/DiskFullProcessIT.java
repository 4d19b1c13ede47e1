package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.WriteResponse;
import io.raftkv.cli.torture.rig.LoopbackPorts;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A `raftkv server` process whose data directory is on a small tmpfs that fills up: the process exits
 * with the storage-failure code and says why in its log, and so does a restart while the disk is still
 * full (at its first failed write); once space is freed, a restart has every write that was acknowledged. Mounting needs root (CI runs as root); elsewhere the test is skipped.
 */
class DiskFullProcessIT {
  private static final Path REPO = Path.of(System.getProperty("raftkv.repo", "../.."));
  private static final Path RAFTKV = REPO.resolve("deploy/bin/raftkv");
  /** Big enough for RocksDB to open and preallocate its write-ahead log; the rest is filled up. */
  private static final String TMPFS_SIZE = "128m";
  private static Path mountPoint;

  @TempDir
  Path logs;

  private Process server;

  @BeforeAll
  static void mountSmallDisk() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    mountPoint = Files.createTempDirectory("raftkv-full-disk");
    int status = run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", mountPoint.toString());
    if (status != 0) {
      Files.deleteIfExists(mountPoint);
      mountPoint = null;
    }
    Assumptions.assumeTrue(status == 0, "mount -t tmpfs failed (no CAP_SYS_ADMIN?)");
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mountPoint != null) {
      if (run("umount", mountPoint.toString()) != 0) {
        run("umount", "-l", mountPoint.toString()); // a process still holds it: detach now, freed when it exits
      }
      Files.deleteIfExists(mountPoint);
    }
  }

  @AfterEach
  void killServer() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private Process startServer(int clientPort, int peerPort, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(RAFTKV.toString(), "server", "--id", "1",
        "--client-addr", "127.0.0.1:" + clientPort, "--peer-addr", "127.0.0.1:" + peerPort,
        "--peers", "1=127.0.0.1:" + peerPort, "--data-dir", mountPoint.resolve("n1").toString(), "--tick-ms", "50");
    pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return pb.start();
  }

  @Test
  void fullDiskStopsTheServerWithTheStorageFailureCodeAndARestartKeepsEveryAcknowledgedWrite() throws Exception {
    assertThat(Files.isExecutable(RAFTKV)).as("%s (built by mvn package)", RAFTKV).isTrue();
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    int clientPort = LoopbackPorts.freePort(taken);
    int peerPort = LoopbackPorts.freePort(taken);
    Path firstLog = logs.resolve("first.log");
    server = startServer(clientPort, peerPort, firstLog);
    Map<String, Long> acknowledged = new LinkedHashMap<>();
    Path filler = mountPoint.resolve("filler");
    try (RaftKvClient client = RaftKvClient.connect(List.of("127.0.0.1:" + clientPort), Duration.ofSeconds(10))) {
      ProcessClusterSupport.awaitLeader(client);
      for (int i = 0; i < 20; i++) {
        String key = "before-" + i;
        acknowledged.put(key, client.put(ByteString.copyFromUtf8(key), ByteString.copyFromUtf8("v" + i)).getIndex());
      }
      fill(filler);
      writeUntilTheServerExits(client, "after-", acknowledged);
    }
    assertExitedOnTheFullDisk(firstLog);

    // Restarted before space is freed (as a supervisor would), it serves until a write fails again.
    Path stillFullLog = logs.resolve("still-full.log");
    server = startServer(clientPort, peerPort, stillFullLog);
    try (RaftKvClient client = RaftKvClient.connect(List.of("127.0.0.1:" + clientPort), Duration.ofSeconds(10))) {
      awaitLeaderOrExit(client);
      writeUntilTheServerExits(client, "still-full-", acknowledged);
    }
    assertExitedOnTheFullDisk(stillFullLog);

    Files.delete(filler);
    Path secondLog = logs.resolve("second.log");
    server = startServer(clientPort, peerPort, secondLog);
    try (RaftKvClient client = RaftKvClient.connect(List.of("127.0.0.1:" + clientPort), Duration.ofSeconds(10))) {
      ProcessClusterSupport.awaitLeader(client);
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

  /** Writes {@code filler} until the file system has no space left. */
  private static void fill(Path filler) throws IOException {
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
  }
}
