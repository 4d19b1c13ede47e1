package io.raftkv.cli.backup;

import io.raftkv.api.Member;
import io.raftkv.cli.torture.rig.LoopbackPorts;
import io.raftkv.raft.StateType;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.service.RaftKvServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** RaftKV servers in this JVM on loopback (real RocksDB, real gRPC), started as `raftkv server` would. */
public final class InProcessCluster implements AutoCloseable {
  public final String clusterId;
  public final Map<Long, Member> members = new TreeMap<>();
  private final Map<Long, RaftKvServer> servers = new TreeMap<>();
  private final Path root;

  /** A cluster of {@code size} nodes with fresh addresses, data directories under {@code root}/node-N. */
  public InProcessCluster(Path root, String clusterId, int size) {
    this.root = root;
    this.clusterId = clusterId;
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    for (long id = 1; id <= size; id++) {
      members.put(id, Member.newBuilder().setId(id)
          .setPeerAddress("127.0.0.1:" + LoopbackPorts.freePort(taken))
          .setClientAddress("127.0.0.1:" + LoopbackPorts.freePort(taken)).build());
    }
  }

  public Path dataDir(long id) {
    return root.resolve("node-" + id);
  }

  /** The --peers value of this cluster. */
  public String peers() {
    return members.values().stream().map(m -> m.getId() + "=" + m.getPeerAddress()).collect(Collectors.joining(","));
  }

  /** The --endpoints value of this cluster. */
  public String endpoints() {
    return String.join(",", clientAddresses());
  }

  public List<String> clientAddresses() {
    return members.values().stream().map(Member::getClientAddress).toList();
  }

  /** Starts every node with --peers (which a node whose directory already holds state ignores). */
  public InProcessCluster start() {
    for (Member m : members.values()) {
      Map<Long, Member> founding = new LinkedHashMap<>();
      members.values().forEach(p -> founding.put(p.getId(), p.getId() == m.getId() ? p
          : p.toBuilder().clearClientAddress().build()));
      NodeConfig config = NodeConfig.builder().nodeId(m.getId()).clusterId(clusterId).dataDir(dataDir(m.getId()))
          .initialMembers(founding).peerAddress(m.getPeerAddress()).clientAddress(m.getClientAddress())
          .tickInterval(Duration.ofMillis(20)).electionTicks(10).heartbeatTicks(1)
          .requestTimeout(Duration.ofSeconds(5)).build();
      servers.put(m.getId(), RaftKvServer.start(config, "127.0.0.1", port(m.getPeerAddress()),
          port(m.getClientAddress())));
    }
    return this;
  }

  public RaftKvServer server(long id) {
    return servers.get(id);
  }

  public List<RaftKvServer> servers() {
    return new ArrayList<>(servers.values());
  }

  /** Waits until one node leads and all agree on it. */
  public long awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      long leader = servers.values().stream().filter(s -> s.node().status().role() == StateType.LEADER)
          .mapToLong(s -> s.node().id()).findFirst().orElse(0);
      if (leader != 0 && servers.values().stream().allMatch(s -> s.node().status().leaderId() == leader)) {
        return leader;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no leader within " + timeout);
  }

  @Override
  public void close() {
    // In parallel: a server waits up to seconds for its peers' streams to end, which they do once all stop.
    List<Thread> closing = servers.values().stream().map(s -> new Thread(s::close)).toList();
    closing.forEach(Thread::start);
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    servers.clear();
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }
}
