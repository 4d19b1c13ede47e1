package io.raftkv.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Starts a 3-node RaftKV cluster on loopback the way deploy/cluster.sh does: three {@code raftkv server}
 * processes from deploy/bin/raftkv, each with its own data directory (RocksDB WAL synced on every write).
 */
final class RaftKvCluster {
  private RaftKvCluster() {
  }

  /** The command lines of the three nodes, given their client and peer ports and their directory. */
  static List<List<String>> commands(String launcher, List<Integer> clientPorts, List<Integer> peerPorts, Path dir) {
    String peers = IntStream.range(0, 3)
        .mapToObj(i -> (i + 1) + "=127.0.0.1:" + peerPorts.get(i))
        .collect(Collectors.joining(","));
    List<List<String>> commands = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      commands.add(List.of(launcher, "server",
          "--id", Integer.toString(i + 1),
          "--client-addr", "127.0.0.1:" + clientPorts.get(i),
          "--peer-addr", "127.0.0.1:" + peerPorts.get(i),
          "--peers", peers,
          "--data-dir", dir.resolve("node-" + (i + 1)).toString()));
    }
    return commands;
  }

  /** Starts the nodes under {@code dir} and waits until they commit a write. */
  static BenchCluster start(String launcher, Path dir) throws StartFailure, InterruptedException {
    List<Integer> ports = FreePorts.pick(6);
    List<Integer> clientPorts = ports.subList(0, 3);
    List<List<String>> commands = commands(launcher, clientPorts, ports.subList(3, 6), dir);
    List<BenchCluster.Member> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(new BenchCluster.Member("raftkv node " + (i + 1), commands.get(i), dir.resolve("node-" + (i + 1)),
          dir.resolve("node-" + (i + 1) + ".log")));
    }
    List<String> endpoints = clientPorts.stream().map(p -> "127.0.0.1:" + p).toList();
    // The servers are JVMs: give them longer than etcd to come up on a busy machine.
    return BenchCluster.launch("raftkv", members, () -> RaftKvStore.connect(endpoints), Duration.ofSeconds(120));
  }
}
