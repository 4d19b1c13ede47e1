package io.raftkv.server.cluster;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.Member;
import io.raftkv.raft.StateType;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.service.RaftKvServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** A cluster of real RaftKV servers on loopback (real RocksDB, real gRPC), for tests. */
final class LocalCluster implements AutoCloseable {
  private final Path root;
  private final UnaryOperator<NodeConfig.Builder> tuning;
  final Map<Long, Member> members = new TreeMap<>();
  private final Map<Long, RaftKvServer> servers = new TreeMap<>();
  private final Map<Long, ManagedChannel> channels = new LinkedHashMap<>();
  /** Nodes cut off from the rest (both ways); empty: the network is whole. */
  private volatile java.util.Set<Long> cutOff = java.util.Set.of();

  private final boolean faultInjection;

  LocalCluster(Path root, int size, UnaryOperator<NodeConfig.Builder> tuning) {
    this(root, size, tuning, false);
  }

  /** With {@code faultInjection}, every node takes SetNetworkFaults, as with `raftkv server --fault-injection`. */
  LocalCluster(Path root, int size, UnaryOperator<NodeConfig.Builder> tuning, boolean faultInjection) {
    this.root = root;
    this.tuning = tuning;
    this.faultInjection = faultInjection;
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    for (long id = 1; id <= size; id++) {
      members.put(id, newMember(id, taken));
    }
    for (long id = 1; id <= size; id++) {
      start(id, true);
    }
  }

  static Member newMember(long id) {
    return newMember(id, new java.util.HashSet<>());
  }

  /** A member on free ports, none of them in {@code taken} (ports picked for nodes not started yet). */
  static Member newMember(long id, java.util.Set<Integer> taken) {
    return Member.newBuilder().setId(id).setPeerAddress("127.0.0.1:" + freePort(taken))
        .setClientAddress("127.0.0.1:" + freePort(taken)).build();
  }

  /**
   * A free port not in {@code taken}, which it joins: a port picked for a node that has not bound it yet
   * is still free, and two nodes given the same one would fail to start. Below the kernel's ephemeral
   * range (32768 and up): a port from there can be taken by an outgoing connection before the bind.
   */
  static int freePort(java.util.Set<Integer> taken) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
      if (!taken.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port between 20000 and 31999"));
  }

  Path dataDir(long id) {
    return root.resolve("node-" + id);
  }

  NodeConfig.Builder configFor(long id, boolean founding) {
    NodeConfig.Builder b = NodeConfig.builder().nodeId(id).clusterId("test").dataDir(dataDir(id))
        .tickInterval(Duration.ofMillis(20)).electionTicks(10).heartbeatTicks(1)
        .requestTimeout(Duration.ofSeconds(5))
        .peerAddress(members.get(id).getPeerAddress()).clientAddress(members.get(id).getClientAddress());
    if (founding) {
      b.initialMembers(members);
    }
    return tuning.apply(b);
  }

  void start(long id, boolean founding) {
    Member m = members.get(id);
    RaftKvServer server = RaftKvServer.start(configFor(id, founding).build(), "127.0.0.1",
        port(m.getPeerAddress()), port(m.getClientAddress()), faultInjection,
        (from, to) -> cutOff.contains(from) == cutOff.contains(to));
    servers.put(id, server);
  }

  /** Partitions {@code side} from the other nodes (messages between the two sides are dropped). */
  void partition(java.util.Set<Long> side) {
    cutOff = java.util.Set.copyOf(side);
  }

  void heal() {
    cutOff = java.util.Set.of();
  }

  /** Starts a node that is not a founding member (it joins once added through the admin API). */
  void startJoining(Member m) {
    members.put(m.getId(), m);
    RaftKvServer server = RaftKvServer.start(configFor(m.getId(), false).build(), "127.0.0.1",
        port(m.getPeerAddress()), port(m.getClientAddress()));
    servers.put(m.getId(), server);
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  RaftKvServer server(long id) {
    return servers.get(id);
  }

  void stop(long id) {
    RaftKvServer server = servers.remove(id);
    if (server != null) {
      server.close();
    }
    ManagedChannel ch = channels.remove(id);
    if (ch != null) {
      ch.shutdownNow();
    }
  }

  boolean running(long id) {
    return servers.containsKey(id);
  }

  /** Waits until a running node leads and every running node agrees; returns its id. */
  long awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      long leader = 0;
      boolean agreed = true;
      for (RaftKvServer s : servers.values()) {
        if (s.node().status().role() == StateType.LEADER) {
          leader = s.node().id();
        }
      }
      if (leader != 0) {
        for (RaftKvServer s : servers.values()) {
          agreed &= s.node().status().leaderId() == leader;
        }
        if (agreed) {
          return leader;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader within " + timeout);
  }

  /** Waits up to 20 s until node {@code id} has applied {@code index}. */
  void awaitApplied(long id, long index) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (server(id).node().appliedIndex() < index) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + id + " applied " + server(id).node().appliedIndex()
            + ", expected at least " + index);
      }
      Thread.sleep(20);
    }
  }

  /** A client of the whole cluster, connected once a leader is agreed on, with a 20 s deadline per call. */
  io.raftkv.client.RaftKvClient connectClient() throws InterruptedException {
    long leader = awaitLeader(Duration.ofSeconds(10));
    return io.raftkv.client.RaftKvClient.connect(List.of(members.get(leader).getClientAddress()),
        Duration.ofSeconds(20));
  }

  <Q, R> R call(long id, MethodDescriptor<Q, R> method, Q request) {
    ManagedChannel ch = channels.computeIfAbsent(id, k -> Grpc.newChannelBuilder(
        members.get(k).getClientAddress(), InsecureChannelCredentials.create()).build());
    return ClientCalls.blockingUnaryCall(ch, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        request);
  }

  /**
   * Writes through whichever node leads, retrying the same request (same client id and sequence, so it
   * applies once) across leader changes: on a busy machine a leader can stall past its election timeout.
   */
  io.raftkv.api.WriteResponse writeViaLeader(io.raftkv.api.WriteRequest request) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      long leader = awaitLeader(Duration.ofSeconds(30));
      try {
        return call(leader, io.raftkv.api.KvRpc.WRITE, request);
      } catch (io.grpc.StatusRuntimeException e) {
        io.raftkv.api.Error.Code code = io.raftkv.api.ErrorTrailers.fromThrowable(e).getCode();
        boolean leaderChanged = switch (code) {
          case NOT_LEADER, STALE_COMMAND, TIMEOUT, UNAVAILABLE, RESOURCE_EXHAUSTED -> true;
          default -> false;
        };
        if (!leaderChanged || System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
    for (long id : servers.keySet().toArray(new Long[0])) {
      stop(id);
    }
  }
}
