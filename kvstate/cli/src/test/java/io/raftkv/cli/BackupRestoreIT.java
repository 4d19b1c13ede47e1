package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.testkit.FreePorts;
import io.raftkv.testkit.LeaderWaits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `deploy/bin/raftkv backup` of three running `raftkv server` processes while a client writes, then
 * `raftkv restore` of the file into three new directories and three new server processes on other
 * ports: every write acknowledged before the backup started is served at its version, and new writes go.
 * Both clusters serve TLS with the certificates `raftkv certs init` made (the restored nodes keep their ids and
 * the cluster id, so they keep their certificates); the backup command and the clients present the admin's.
 */
class BackupRestoreIT {
  private static final Path REPO = Path.of(System.getProperty("raftkv.repo", "../.."));
  private static final Path RAFTKV = REPO.resolve("deploy/bin/raftkv");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final List<Process> servers = new ArrayList<>();
  private ProcessTls tls;

  @AfterEach
  void killAll() {
    servers.forEach(Process::destroyForcibly);
  }

  /** A cluster's addresses: peer and client ports of nodes 1..3. */
  private record Ports(int[] peer, int[] client) {
    static Ports fresh() {
      int[] peer = new int[4];
      int[] client = new int[4];
      java.util.Set<Integer> taken = new java.util.HashSet<>();
      for (int id = 1; id <= 3; id++) {
        peer[id] = FreePorts.freePort(taken);
        client[id] = FreePorts.freePort(taken);
      }
      return new Ports(peer, client);
    }

    String peers() {
      return "1=127.0.0.1:" + peer[1] + ",2=127.0.0.1:" + peer[2] + ",3=127.0.0.1:" + peer[3];
    }

    List<String> endpoints() {
      return List.of("127.0.0.1:" + client[1], "127.0.0.1:" + client[2], "127.0.0.1:" + client[3]);
    }
  }

  private void startCluster(Ports ports, String name) throws IOException {
    for (int id = 1; id <= 3; id++) {
      List<String> command = new ArrayList<>(List.of(RAFTKV.toString(), "server", "--id", String.valueOf(id),
          "--cluster-id", "it", "--client-addr", "127.0.0.1:" + ports.client()[id],
          "--peer-addr", "127.0.0.1:" + ports.peer()[id], "--peers", ports.peers(),
          "--data-dir", dir.resolve(name + "-" + id).toString(), "--tick-ms", "50"));
      command.addAll(tls.serverFlags(id));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.redirectErrorStream(true).redirectOutput(dir.resolve(name + "-" + id + ".log").toFile());
      servers.add(pb.start());
    }
  }

  /** Runs a raftkv command to its end; returns its exit code and output. */
  private Map.Entry<Integer, String> raftkv(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(RAFTKV.toString()));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "cmd", ".out");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return Map.entry(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }

  @Test
  void aBackupOfRunningServersRestoresIntoANewClusterOfServers() throws Exception {
    assertThat(Files.isExecutable(RAFTKV)).as("%s (built by mvn package)", RAFTKV).isTrue();
    Path certs = dir.resolve("certs");
    Map.Entry<Integer, String> init = raftkv("certs", "init", "--dir", certs.toString(), "--nodes", "3",
        "--cluster-id", "it");
    assertThat(init.getKey()).as(init.getValue()).isEqualTo(0);
    tls = new ProcessTls(certs);
    Ports old = Ports.fresh();
    startCluster(old, "old");
    Path backup = dir.resolve("it.rkvb");
    Map<String, Long> acknowledgedBefore;
    try (RaftKvClient client = tls.client(old.endpoints(), WAIT)) {
      LeaderWaits.awaitKnownLeader(client);
      Map<String, Long> acknowledged = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          try {
            WriteResponse r = client.put(ByteString.copyFromUtf8("k" + i), ByteString.copyFromUtf8("v" + i));
            acknowledged.put("k" + i, r.getIndex());
          } catch (RaftKvException e) {
            // outcome unknown: not counted as acknowledged
          }
        }
      });
      writer.start();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (acknowledged.size() < 20 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      acknowledgedBefore = new HashMap<>(acknowledged);
      List<String> backupCommand = new ArrayList<>(List.of("backup", "--out", backup.toString(), "--endpoints",
          String.join(",", old.endpoints())));
      backupCommand.addAll(tls.clientFlags());
      Map.Entry<Integer, String> result = raftkv(backupCommand.toArray(String[]::new));
      stop.set(true);
      writer.join(WAIT.toMillis());
      assertThat(result.getKey()).as(result.getValue()).isEqualTo(0);
      assertThat(result.getValue()).contains("backup of cluster 'it' at index");
    }
    assertThat(acknowledgedBefore).as("writes acknowledged before the backup").hasSizeGreaterThanOrEqualTo(20);
    servers.forEach(Process::destroyForcibly);
    servers.clear();

    Ports fresh = Ports.fresh();
    List<Process> restores = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      restores.add(new ProcessBuilder(RAFTKV.toString(), "restore", "--from", backup.toString(), "--data-dir",
          dir.resolve("new-" + id).toString(), "--id", String.valueOf(id), "--peers", fresh.peers())
          .redirectErrorStream(true).redirectOutput(dir.resolve("restore-" + id + ".out").toFile()).start());
    }
    for (int id = 1; id <= 3; id++) {
      Process p = restores.get(id - 1);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("restore-" + id + ".out"))).isEqualTo(0);
    }
    startCluster(fresh, "new");
    try (RaftKvClient client = tls.client(fresh.endpoints(), WAIT)) {
      LeaderWaits.awaitKnownLeader(client);
      for (Map.Entry<String, Long> e : acknowledgedBefore.entrySet()) {
        Optional<KeyValue> kv = client.get(ByteString.copyFromUtf8(e.getKey()));
        assertThat(kv).as("key %s acknowledged before the backup", e.getKey()).isPresent();
        assertThat(kv.get().getVersion()).as("version of %s", e.getKey()).isEqualTo(e.getValue());
      }
      assertThat(client.put(ByteString.copyFromUtf8("after"), ByteString.copyFromUtf8("x")).getIndex())
          .isGreaterThan(acknowledgedBefore.values().stream().mapToLong(Long::longValue).max().orElseThrow());
    }
  }
}
