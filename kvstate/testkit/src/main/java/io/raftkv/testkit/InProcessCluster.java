package io.raftkv.testkit;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.KeyValue;
import io.raftkv.api.KvRpc;
import io.raftkv.api.Member;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.ScanResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.raft.StateType;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.service.RaftKvServer;
import io.raftkv.server.service.ServerSecurity;
import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.api.tls.NodeUri;
import io.raftkv.server.transport.LinkFilter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A cluster of real RaftKV servers in this JVM on loopback (real RocksDB, real gRPC), for tests: nodes are
 * started, stopped, crashed and restarted on their data, partitioned, joined; the cluster waits for a
 * leader or an applied index, and talks to its nodes through a client or raw gRPC calls.
 */
public final class InProcessCluster implements AutoCloseable {
  /** The user whose certificate a TLS cluster's own clients present. */
  public static final String ADMIN_USER = "admin";

  private final InProcessClusterSpec spec;
  private final Map<Long, Member> members = new TreeMap<>();
  private final Map<Long, RaftKvServer> servers = new TreeMap<>();
  /** Nodes being stopped in the background: a server's close waits for its peers' streams to end. */
  private final Map<Long, CompletableFuture<Void>> stopping = new TreeMap<>();
  private final Map<Long, ManagedChannel> channels = new LinkedHashMap<>();
  /** Nodes cut off from the rest (both ways); empty: the network is whole. */
  private volatile Set<Long> cutOff = Set.of();
  private RaftKvClient client;
  /** The cluster's CA and certificates when it runs TLS. */
  private final Optional<TestCertificates> certificates;

  InProcessCluster(InProcessClusterSpec spec) {
    this.spec = spec;
    this.certificates = spec.tls()
        ? Optional.of(TestCertificates.create(spec.root().resolve("certs"), spec.clusterId())) : Optional.empty();
    Set<Integer> taken = new HashSet<>();
    for (long id = 1; id <= spec.size(); id++) {
      members.put(id, newMember(id, taken));
    }
  }

  /** Describes a cluster of {@code size} founding nodes with data directories under {@code root}/node-N. */
  public static InProcessClusterSpec.Builder builder(Path root, int size) {
    return new InProcessClusterSpec.Builder(root, size);
  }

  /**
   * Starts {@code size} founding nodes of cluster {@code clusterId} and waits for a leader. Takes no type
   * but the JDK's, so a test can call it reflectively from another class loader.
   */
  public static InProcessCluster startWithLeader(Path root, int size, String clusterId) throws InterruptedException {
    return builder(root, size).clusterId(clusterId).startWithLeader();
  }

  /** A member on free ports. */
  public static Member newMember(long id) {
    return newMember(id, new HashSet<>());
  }

  /** A member on free ports, none of them in {@code taken} (ports picked for nodes not started yet). */
  public static Member newMember(long id, Set<Integer> taken) {
    return Member.newBuilder().setId(id).setPeerAddress("127.0.0.1:" + FreePorts.freePort(taken))
        .setClientAddress("127.0.0.1:" + FreePorts.freePort(taken)).build();
  }

  public String clusterId() {
    return spec.clusterId();
  }

  /** The members by id, as this cluster knows them (a joined node is added by {@link #startJoining}). */
  public Map<Long, Member> members() {
    return Collections.unmodifiableMap(members);
  }

  public Path dataDir(long id) {
    return spec.root().resolve("node-" + id);
  }

  /** The --peers value of this cluster. */
  public String peers() {
    return members.values().stream().map(m -> m.getId() + "=" + m.getPeerAddress())
        .collect(Collectors.joining(","));
  }

  /** The client addresses, comma-separated, as --endpoints and raftkv.endpoints want them. */
  public String endpoints() {
    return String.join(",", clientAddresses());
  }

  public List<String> clientAddresses() {
    return members.values().stream().map(Member::getClientAddress).toList();
  }

  /** Node {@code id}'s config as {@link #start(long, boolean)} builds it, before the spec's tuning. */
  public NodeConfig.Builder configFor(long id, boolean founding) {
    Member self = members.get(id);
    NodeConfig.Builder b = NodeConfig.builder().nodeId(id).clusterId(spec.clusterId()).dataDir(dataDir(id))
        .tickInterval(Duration.ofMillis(20)).electionTicks(10).heartbeatTicks(1)
        .requestTimeout(Duration.ofSeconds(5))
        .peerAddress(self.getPeerAddress()).clientAddress(self.getClientAddress());
    if (founding) {
      b.initialMembers(spec.foundingPeersOnly() ? peersOnly(id) : members);
    }
    return spec.tuning().apply(b);
  }

  /** The founding members as `raftkv server --peers` gives them: only its own client address is known. */
  private Map<Long, Member> peersOnly(long self) {
    Map<Long, Member> founding = new LinkedHashMap<>();
    members.values().forEach(p -> founding.put(p.getId(), p.getId() == self ? p
        : p.toBuilder().clearClientAddress().build()));
    return founding;
  }

  /** Starts every founding node; returns this cluster. */
  public InProcessCluster startAll() {
    for (long id : members.keySet()) {
      start(id, true);
    }
    return this;
  }

  /** Starts node {@code id}: with the founding members, or else on its data (or to be added later). */
  public void start(long id, boolean founding) {
    awaitStopped(id);
    Member m = members.get(id);
    // Only a partitionable cluster's transports are wrapped to cut links, as only its tests need it.
    LinkFilter links = spec.partitionable() ? (from, to) -> cutOff.contains(from) == cutOff.contains(to) : null;
    servers.put(id, startServer(configFor(id, founding).build(), m, spec.faultInjection(), links));
  }

  /** Starts a node that is not a founding member (it joins once added through the admin API). */
  public void startJoining(Member m) {
    members.put(m.getId(), m);
    servers.put(m.getId(), startServer(configFor(m.getId(), false).build(), m, false, null));
  }

  private RaftKvServer startServer(NodeConfig config, Member m, boolean faultInjection, LinkFilter links) {
    return RaftKvServer.start(config, new InetSocketAddress("127.0.0.1", port(m.getPeerAddress())),
        new InetSocketAddress("127.0.0.1", port(m.getClientAddress())), faultInjection, links, security(m.getId()));
  }

  private ServerSecurity security(long id) {
    if (certificates.isEmpty()) {
      return ServerSecurity.plaintext();
    }
    TlsFiles node = certificates.get().node(id);
    try {
      return ServerSecurity.tls(node, node, new NodeUri(spec.clusterId(), id));
    } catch (BadTlsFileException e) {
      throw new IllegalStateException("test certificate of node " + id + " is unusable: " + e.getMessage(), e);
    }
  }

  /** The cluster's CA and certificates (issued on first use); empty for a plaintext cluster. */
  public Optional<TestCertificates> certificates() {
    return certificates;
  }

  /**
   * A client builder for {@code endpoints} as this cluster's clients are made: with TLS, presenting the
   * {@code admin} user's certificate.
   */
  public RaftKvClient.Builder clientBuilder(List<String> endpoints) {
    RaftKvClient.Builder builder = RaftKvClient.builder(endpoints).deadline(Duration.ofSeconds(20));
    certificates.ifPresent(c -> builder.tls(c.user(ADMIN_USER)));
    return builder;
  }

  private RaftKvClient newClient(List<String> endpoints) {
    try {
      return clientBuilder(endpoints).build();
    } catch (BadTlsFileException e) {
      throw new IllegalStateException("test client certificate is unusable: " + e.getMessage(), e);
    }
  }

  /** Partitions {@code side} from the other nodes (messages between the two sides are dropped). */
  public void partition(Set<Long> side) {
    if (!spec.partitionable()) {
      throw new IllegalStateException("cluster started without partitionable(): its links cannot be cut");
    }
    cutOff = Set.copyOf(side);
  }

  public void heal() {
    cutOff = Set.of();
  }

  public RaftKvServer server(long id) {
    return servers.get(id);
  }

  /** The running servers, by id. */
  public List<RaftKvServer> servers() {
    return new ArrayList<>(servers.values());
  }

  public boolean running(long id) {
    return servers.containsKey(id);
  }

  /** Stops node {@code id} and returns once it is closed (its data stays for a restart). */
  public void stop(long id) {
    RaftKvServer server = servers.remove(id);
    if (server != null) {
      server.close();
    }
    closeChannel(id);
  }

  /**
   * Stops a node as a crash would (its data stays for a restart): it stops serving at once; the rest of
   * its shutdown goes on in the background, and {@link #restart} or {@link #start} waits for it.
   */
  public void stopInBackground(long id) {
    RaftKvServer server = servers.remove(id);
    if (server != null) {
      stopping.put(id, CompletableFuture.runAsync(server::close));
    }
    closeChannel(id);
  }

  /** Starts a stopped node again on its data. */
  public void restart(long id) {
    start(id, false);
  }

  private void awaitStopped(long id) {
    CompletableFuture<Void> stop = stopping.remove(id);
    if (stop != null) {
      stop.join();
    }
  }

  /** Waits until a running node leads and every running node agrees; returns its id. */
  public long awaitLeader(Duration timeout) throws InterruptedException {
    return Waits.forValue(timeout, this::agreedLeader, () -> "no leader within " + timeout);
  }

  private Optional<Long> agreedLeader() {
    long leader = 0;
    for (RaftKvServer s : servers.values()) {
      if (s.node().status().role() == StateType.LEADER) {
        leader = s.node().id();
      }
    }
    long candidate = leader;
    boolean agreed = servers.values().stream().allMatch(s -> s.node().status().leaderId() == candidate);
    return leader != 0 && agreed ? Optional.of(leader) : Optional.empty();
  }

  /** Waits up to 20 s until node {@code id} has applied {@code index}. */
  public void awaitApplied(long id, long index) throws InterruptedException {
    Waits.until(Duration.ofSeconds(20), () -> server(id).node().appliedIndex() >= index,
        () -> "node " + id + " applied " + server(id).node().appliedIndex() + ", expected at least " + index);
  }

  /**
   * The lowest index every running node's change feed still holds (events below it are gone from at least
   * one node).
   */
  public long oldestFeedIndexHeldEverywhere() {
    return servers.values().stream().mapToLong(s -> s.node().changeFeed().truncatedIndex() + 1).max().orElse(1);
  }

  /** A new client of the whole cluster, connected once a leader is agreed on, with a 20 s deadline per call. */
  public RaftKvClient connectClient() throws InterruptedException {
    long leader = awaitLeader(Duration.ofSeconds(10));
    return newClient(List.of(members.get(leader).getClientAddress()));
  }

  /** The cluster's own client of every endpoint (20 s per call), closed with the cluster. */
  public synchronized RaftKvClient client() {
    if (client == null) {
      client = newClient(clientAddresses());
    }
    return client;
  }

  /** The key's value and versions, read linearizably. */
  public Optional<KeyValue> get(String key) {
    return client().get(ByteString.copyFromUtf8(key));
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
      ScanResponse page = client().scan(request.build());
      out.addAll(page.getKvsList());
      if (!page.getMore()) {
        return out;
      }
      start = page.getNextStart();
    }
  }

  /** One unary call to node {@code id}'s client address, with a 10 s deadline. */
  public <Q, R> R call(long id, MethodDescriptor<Q, R> method, Q request) {
    ManagedChannel ch = channels.computeIfAbsent(id, k -> Grpc.newChannelBuilder(
        members.get(k).getClientAddress(), channelCredentials()).build());
    return ClientCalls.blockingUnaryCall(ch, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        request);
  }

  /**
   * Writes through whichever node leads, retrying the same request (same client id and sequence, so it
   * applies once) across leader changes: on a busy machine a leader can stall past its election timeout.
   */
  public WriteResponse writeViaLeader(WriteRequest request) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      long leader = awaitLeader(Duration.ofSeconds(30));
      try {
        return call(leader, KvRpc.WRITE, request);
      } catch (StatusRuntimeException e) {
        Error.Code code = ErrorTrailers.fromThrowable(e).getCode();
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

  /** Credentials of the raw calls: TLS with the admin certificate, or plaintext. */
  private ChannelCredentials channelCredentials() {
    if (certificates.isEmpty()) {
      return InsecureChannelCredentials.create();
    }
    return TestCertificates.channelCredentials(certificates.get().user(ADMIN_USER));
  }

  private void closeChannel(long id) {
    ManagedChannel ch = channels.remove(id);
    if (ch != null) {
      ch.shutdownNow();
    }
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /** Closes the client, then every node at once: a server waits for its peers' streams, which end as all stop. */
  @Override
  public void close() {
    synchronized (this) {
      if (client != null) {
        client.close();
        client = null;
      }
    }
    for (long id : channels.keySet().toArray(new Long[0])) {
      closeChannel(id);
    }
    for (long id : servers.keySet().toArray(new Long[0])) {
      stopInBackground(id);
    }
    for (long id : stopping.keySet().toArray(new Long[0])) {
      awaitStopped(id);
    }
  }
}
