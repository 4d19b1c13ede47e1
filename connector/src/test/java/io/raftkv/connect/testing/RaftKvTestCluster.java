package io.raftkv.connect.testing;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Member;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.ScanResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.raft.StateType;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.service.RaftKvServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A RaftKV cluster of real servers on loopback (real RocksDB, real gRPC) for the connector's tests, with a
 * client to read what the sink wrote. Nodes can be stopped and restarted on their data.
 */
public final class RaftKvTestCluster implements AutoCloseable {
  private final Path root;
  private final Map<Long, Member> members = new TreeMap<>();
  private final Map<Long, RaftKvServer> servers = new TreeMap<>();
  /** Nodes being stopped: a server's close waits for its peers' streams to end, which takes seconds. */
  private final Map<Long, CompletableFuture<Void>> stopping = new TreeMap<>();
  private final RaftKvClient client;

  /** Adjusts each node's config (e.g. a short change-feed retention) before it starts. */
  private final UnaryOperator<NodeConfig.Builder> tuning;

  private RaftKvTestCluster(Path root, int size, UnaryOperator<NodeConfig.Builder> tuning) {
    this.root = root;
    this.tuning = tuning;
    java.util.Set<Integer> taken = new java.util.HashSet<>();
    for (long id = 1; id <= size; id++) {
      members.put(id, Member.newBuilder().setId(id).setPeerAddress("127.0.0.1:" + freePort(taken))
          .setClientAddress("127.0.0.1:" + freePort(taken)).build());
    }
    for (long id = 1; id <= size; id++) {
      start(id, true);
    }
    client = RaftKvClient.connect(RaftKvClient.parseEndpoints(endpoints()), Duration.ofSeconds(20));
  }

  /** Starts {@code size} founding nodes under {@code root} and waits for a leader. */
  public static RaftKvTestCluster start(Path root, int size) {
    return start(root, size, UnaryOperator.identity());
  }

  /** Starts {@code size} founding nodes, each config adjusted by {@code tuning}, and waits for a leader. */
  public static RaftKvTestCluster start(Path root, int size, UnaryOperator<NodeConfig.Builder> tuning) {
    RaftKvTestCluster cluster = new RaftKvTestCluster(root, size, tuning);
    cluster.awaitLeader(Duration.ofSeconds(30));
    return cluster;
  }

  /**
   * A free port not in {@code taken}, which it joins (two nodes given the same unbound port would fail to
   * start). Below the kernel's ephemeral range (32768 and up): a port from there can be taken by an
   * outgoing connection before the bind.
   */
  private static int freePort(java.util.Set<Integer> taken) {
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

  private void start(long id, boolean founding) {
    Member m = members.get(id);
    NodeConfig.Builder config = NodeConfig.builder().nodeId(id).clusterId("connect-test")
        .dataDir(root.resolve("node-" + id)).tickInterval(Duration.ofMillis(20)).electionTicks(10)
        .heartbeatTicks(1).requestTimeout(Duration.ofSeconds(5))
        .peerAddress(m.getPeerAddress()).clientAddress(m.getClientAddress());
    if (founding) {
      config.initialMembers(members);
    }
    servers.put(id, RaftKvServer.start(tuning.apply(config).build(), "127.0.0.1", port(m.getPeerAddress()),
        port(m.getClientAddress())));
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** The client addresses, comma-separated, as raftkv.endpoints wants them. */
  public String endpoints() {
    return members.values().stream().map(Member::getClientAddress).collect(Collectors.joining(","));
  }

  /**
   * Stops a node as a crash would (its data stays for a restart): it stops serving at once; the rest of its
   * shutdown goes on in the background.
   */
  public void stop(long id) {
    RaftKvServer server = servers.remove(id);
    if (server != null) {
      stopping.put(id, CompletableFuture.runAsync(server::close));
    }
  }

  /** Starts a stopped node again on its data. */
  public void restart(long id) {
    awaitStopped(id);
    start(id, false);
  }

  private void awaitStopped(long id) {
    CompletableFuture<Void> stop = stopping.remove(id);
    if (stop != null) {
      stop.join();
    }
  }

  /** Waits until a running node leads and every running node agrees; returns its id. */
  public long awaitLeader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      long leader = 0;
      for (RaftKvServer s : servers.values()) {
        if (s.node().status().role() == StateType.LEADER) {
          leader = s.node().id();
        }
      }
      final long candidate = leader;
      if (leader != 0 && servers.values().stream().allMatch(s -> s.node().status().leaderId() == candidate)) {
        return leader;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for a leader", e);
      }
    }
    throw new IllegalStateException("no leader within " + timeout);
  }

  /**
   * The lowest index every running node's change feed still holds (events below it are gone from at least
   * one node).
   */
  public long oldestFeedIndexHeldEverywhere() {
    return servers.values().stream().mapToLong(s -> s.node().changeFeed().truncatedIndex() + 1).max().orElse(1);
  }

  public RaftKvClient client() {
    return client;
  }

  /** The key's value and versions, read linearizably. */
  public Optional<KeyValue> get(String key) {
    return client.get(ByteString.copyFromUtf8(key));
  }

  /** The value of {@code key} as UTF-8, or null if absent (a JDK-only signature, for other class loaders). */
  public String getUtf8(String key) {
    return get(key).map(kv -> kv.getValue().toStringUtf8()).orElse(null);
  }

  /** Every key with {@code prefix}, in key order, read linearizably page by page. */
  public List<KeyValue> scan(String prefix) {
    List<KeyValue> out = new ArrayList<>();
    ByteString start = ByteString.EMPTY;
    ByteString p = ByteString.copyFromUtf8(prefix);
    while (true) {
      ScanRequest.Builder request = ScanRequest.newBuilder().setPrefix(p).setLimit(5000);
      if (!start.isEmpty()) {
        request.setStart(start);
      }
      ScanResponse page = client.scan(request.build());
      out.addAll(page.getKvsList());
      if (!page.getMore()) {
        return out;
      }
      start = page.getNextStart();
    }
  }

  @Override
  public void close() {
    client.close();
    for (long id : servers.keySet().toArray(new Long[0])) {
      stop(id);
    }
    for (long id : stopping.keySet().toArray(new Long[0])) {
      awaitStopped(id);
    }
  }
}
