package io.raftkv.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Starts a 3-member etcd cluster on loopback: plain HTTP (no TLS, as RaftKV has none yet), its own data
 * directories, fsync on as etcd does by default.
 */
final class EtcdCluster {
  /** etcd refuses writes once its backend reaches this (8 GiB, its largest suggested quota); see docs. */
  static final long QUOTA_BACKEND_BYTES = 8L << 30;

  private EtcdCluster() {
  }

  /** The command lines of the three members, given their client and peer ports and their directory. */
  static List<List<String>> commands(String etcd, List<Integer> clientPorts, List<Integer> peerPorts, Path dir,
      String token) {
    String initialCluster = IntStream.range(0, 3)
        .mapToObj(i -> "m" + (i + 1) + "=http://127.0.0.1:" + peerPorts.get(i))
        .collect(Collectors.joining(","));
    List<List<String>> commands = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String client = "http://127.0.0.1:" + clientPorts.get(i);
      String peer = "http://127.0.0.1:" + peerPorts.get(i);
      commands.add(List.of(etcd,
          "--name", "m" + (i + 1),
          "--data-dir", dir.resolve("m" + (i + 1) + ".etcd").toString(),
          "--listen-client-urls", client,
          "--advertise-client-urls", client,
          "--listen-peer-urls", peer,
          "--initial-advertise-peer-urls", peer,
          "--initial-cluster", initialCluster,
          "--initial-cluster-state", "new",
          "--initial-cluster-token", token,
          "--quota-backend-bytes", Long.toString(QUOTA_BACKEND_BYTES),
          "--logger", "zap"));
    }
    return commands;
  }

  /** Starts the members under {@code dir} and waits until they commit a write. */
  static BenchCluster start(String etcd, Path dir) throws StartFailure, InterruptedException {
    List<Integer> ports = FreePorts.pick(6);
    List<Integer> clientPorts = ports.subList(0, 3);
    List<List<String>> commands = commands(etcd, clientPorts, ports.subList(3, 6), dir, "bench-" + System.nanoTime());
    List<BenchCluster.Member> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(new BenchCluster.Member("etcd member " + (i + 1), commands.get(i), dir.resolve("m" + (i + 1) + ".etcd"),
          dir.resolve("m" + (i + 1) + ".log")));
    }
    List<String> endpoints = clientPorts.stream().map(p -> "http://127.0.0.1:" + p).toList();
    return BenchCluster.launch("etcd", members, () -> EtcdStore.connect(endpoints), java.time.Duration.ofSeconds(60));
  }

  /** Whether {@code etcd} names an executable, as a path or on the PATH. */
  static boolean installed(String etcd) {
    if (etcd.contains("/")) {
      return Files.isExecutable(Path.of(etcd));
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, etcd))) {
        return true;
      }
    }
    return false;
  }
}
