package io.raftkv.server.service;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftkv.api.KvRpc;
import io.grpc.ServerInterceptors;
import io.raftkv.server.auth.AccessControl;
import io.raftkv.server.auth.PasswordHasher;
import io.raftkv.server.auth.TokenInterceptor;
import io.raftkv.server.auth.TokenStore;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.node.NodeDefaults;
import io.raftkv.server.node.OverloadLimits;
import io.raftkv.server.node.RaftKvNode;
import io.raftkv.server.node.Transport;
import io.raftkv.server.transport.FaultInjectingTransport;
import io.raftkv.server.transport.GrpcTransport;
import io.raftkv.server.transport.InboundFilter;
import io.raftkv.server.transport.LinkFilter;
import io.raftkv.server.transport.PeerRpc;
import io.raftkv.server.transport.PeerService;
import io.raftkv.server.transport.PeerAuthentication;
import io.raftkv.server.transport.LocalNode;
import io.raftkv.api.tls.PeerIdentityInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A RaftKV node served over gRPC: the peer service on the peer address, the KV and admin services on the
 * client address.
 */
public final class RaftKvServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftKvServer.class);

  private final RaftKvNode node;
  private final Transport transport;
  private final Server peerServer;
  private final Server clientServer;
  private final ExecutorService executor;
  private final OverloadGuards guards;
  private final ServerSecurity security;
  private final HealthReporter health;

  private RaftKvServer(RaftKvNode node, Transport transport, Server peerServer, Server clientServer,
      ExecutorService executor, OverloadGuards guards, ServerSecurity security, HealthReporter health) {
    this.security = security;
    this.health = health;
    this.node = node;
    this.transport = transport;
    this.peerServer = peerServer;
    this.clientServer = clientServer;
    this.executor = executor;
    this.guards = guards;
  }

  /**
   * Starts the node and both servers.
   *
   * @param peerPort port for peer traffic (0 picks a free one)
   * @param clientPort port for clients (0 picks a free one)
   * @param bindHost the host both servers listen on, and only there (e.g. 127.0.0.1; 0.0.0.0 for every interface)
   */
  /** Largest message a client may send (the client keeps its batch calls well below it). */
  public static final int MAX_CLIENT_MESSAGE_BYTES = 64 << 20;

  /** How long the health service's readiness check waits for a ReadIndex round. */
  static final java.time.Duration READ_INDEX_TIMEOUT = java.time.Duration.ofSeconds(2);

  public static RaftKvServer start(NodeConfig config, String bindHost, int peerPort, int clientPort) {
    return start(config, bindHost, peerPort, clientPort, false);
  }

  /**
   * Starts the node as {@link #start(NodeConfig, String, int, int)} does; with {@code faultInjection} its
   * admin service also takes SetNetworkFaults, which lets a test rig cut, drop and delay its peer traffic.
   */
  public static RaftKvServer start(NodeConfig config, String bindHost, int peerPort, int clientPort,
      boolean faultInjection) {
    return start(config, bindHost, peerPort, clientPort, faultInjection, null);
  }

  /**
   * Starts the node as {@link #start(NodeConfig, String, int, int, boolean)} does; a non-null
   * {@code links} (in-process test clusters) cuts the peer links it does not deliver. Only with fault
   * injection or links is the plain gRPC transport wrapped in a {@link FaultInjectingTransport}.
   */
  public static RaftKvServer start(NodeConfig config, String bindHost, int peerPort, int clientPort,
      boolean faultInjection, LinkFilter links) {
    return start(config, new InetSocketAddress(bindHost, peerPort), new InetSocketAddress(bindHost, clientPort),
        faultInjection, links);
  }

  /**
   * Starts the node with its peer server listening on {@code peerListen} and its client server on
   * {@code clientListen}, each on exactly that address: a node told 127.0.0.1 is not reachable from another
   * interface. Port 0 picks a free port.
   */
  public static RaftKvServer start(NodeConfig config, InetSocketAddress peerListen, InetSocketAddress clientListen,
      boolean faultInjection, LinkFilter links) {
    return start(config, peerListen, clientListen, faultInjection, links, ServerSecurity.plaintext());
  }

  /**
   * Starts the node as {@link #start(NodeConfig, InetSocketAddress, InetSocketAddress, boolean, LinkFilter)} does,
   * its ports secured by {@code security}, which the server then owns (and closes, also when the start fails).
   * With TLS, a peer stream is taken only from the node its certificate names.
   */
  public static RaftKvServer start(NodeConfig config, InetSocketAddress peerListen, InetSocketAddress clientListen,
      boolean faultInjection, LinkFilter links, ServerSecurity security) {
    try {
      return startSecured(config, peerListen, clientListen, faultInjection, links, security);
    } catch (RuntimeException e) {
      security.close();
      throw e;
    }
  }

  private static RaftKvServer startSecured(NodeConfig config, InetSocketAddress peerListen,
      InetSocketAddress clientListen, boolean faultInjection, LinkFilter links, ServerSecurity security) {
    if (peerListen.isUnresolved() || clientListen.isUnresolved()) {
      throw new IllegalArgumentException("cannot listen on " + (peerListen.isUnresolved() ? peerListen : clientListen)
          + ": its host does not resolve to an address of this machine");
    }
    if (!security.isTls()) {
      LOG.warn("node {} serves peers on {} and clients on {} in PLAINTEXT (--insecure): anyone who reaches these"
          + " ports can read and rewrite the cluster", config.nodeId(), peerListen, clientListen);
    }
    GrpcTransport grpc = new GrpcTransport(new LocalNode(config.clusterId(), config.nodeId(), config.peerAddress(),
        config.clientAddress()), security.peerChannel());
    PeerAuthentication peerAuthentication = security.isTls() ? PeerAuthentication.mutualTls(config.clusterId())
        : PeerAuthentication.plaintext(config.clusterId());
    PeerIdentityInterceptor identities = new PeerIdentityInterceptor();
    FaultInjectingTransport faulty = faultInjection || links != null
        ? new FaultInjectingTransport(grpc, config.nodeId(), links != null ? links : LinkFilter.OPEN) : null;
    Transport transport = faulty != null ? faulty : grpc;
    InboundFilter inbound = faulty != null ? faulty : InboundFilter.ACCEPT_ALL;
    RaftKvNode[] holder = new RaftKvNode[1];
    ExecutorService executor = Executors.newFixedThreadPool(Math.max(4, Runtime.getRuntime().availableProcessors()),
        r -> {
          Thread t = new Thread(r, "raftkv-rpc-" + config.nodeId());
          t.setDaemon(true);
          return t;
        });
    OverloadLimits limits = config.overloadLimits();
    String nodeName = "node " + config.nodeId();
    OverloadGuards guards = new OverloadGuards(limits, new AdmissionControl(config.nodeId(), limits),
        new StreamSlots(limits.maxWatches()), new StreamSlots(limits.maxBackups()),
        Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "raftkv-stream-timer-" + config.nodeId());
          t.setDaemon(true);
          return t;
        }), new HeapGauge());
    // Raft message streams only queue what they read for the raft loop; snapshot streams write files.
    CallDispatch peerDispatch = new CallDispatch(Set.of(PeerRpc.RAFT.getFullMethodName()), executor,
        limits.maxQueuedRpcs(), nodeName);
    Server peer = NettyServerBuilder.forAddress(peerListen, security.peerServer())
        .addService(ServerInterceptors.intercept(new PeerService(peerAuthentication, () -> holder[0], grpc,
            inbound, limits, guards.timer()).definition(), peerDispatch.refuser(), identities))
        .maxInboundMessageSize(64 << 20)
        .directExecutor()
        .callExecutor(peerDispatch)
        .build();
    try {
      peer.start();
    } catch (IOException e) {
      executor.shutdownNow();
      guards.close();
      throw new UncheckedIOException("cannot listen for peers on " + peerListen + ": " + e.getMessage(), e);
    }
    RaftKvNode node;
    try {
      node = RaftKvNode.start(config, transport);
    } catch (RuntimeException e) {
      peer.shutdownNow();
      executor.shutdownNow();
      guards.close();
      throw e;
    }
    holder[0] = node;
    // Until the replicated auth flag is first set, authentication is on exactly when the client port runs TLS:
    // secure by default, while an --insecure cluster (which has no certificate users) starts open.
    AccessControl access = new AccessControl(node::authView, new TokenStore(NodeDefaults.MAX_TOKENS,
        java.time.Duration.ofMillis(NodeDefaults.TOKEN_TTL_MS), System::nanoTime), security.isTls());
    CallDispatch clientDispatch = new CallDispatch(Set.of(KvRpc.WRITE.getFullMethodName(),
        KvRpc.WRITE_BATCH.getFullMethodName(), KvRpc.GET.getFullMethodName(),
        KvRpc.GET_BATCH.getFullMethodName()), executor, limits.maxQueuedRpcs(), nodeName);
    HealthReporter health = new HealthReporter(new Readiness(node, READ_INDEX_TIMEOUT),
        String.valueOf(config.nodeId()));
    Server client = NettyServerBuilder.forAddress(clientListen, security.clientServer())
        // A write may be 8 MiB (KvLimits) and a WriteBatch call carries several: gRPC's default 4 MiB
        // would refuse valid requests before the limits could name the problem.
        .maxInboundMessageSize(MAX_CLIENT_MESSAGE_BYTES)
        // Writes and gets only validate and queue for the raft loop; their replies are built elsewhere.
        .directExecutor()
        .callExecutor(clientDispatch)
        .addService(ServerInterceptors.intercept(new KvService(node, executor, guards, access).definition(),
            clientDispatch.refuser(), new TokenInterceptor(), identities))
        .addService(ServerInterceptors.intercept(new AdminService(node, executor,
            faultInjection ? java.util.Optional.of(faulty.faults()) : java.util.Optional.empty(), guards, access)
            .definition(), clientDispatch.refuser(), new TokenInterceptor(), identities))
        .addService(ServerInterceptors.intercept(new AuthService(node, executor, access, PasswordHasher.standard(),
            NodeDefaults.MAX_PASSWORD_HASHES_IN_FLIGHT).definition(), clientDispatch.refuser(),
            new TokenInterceptor(), identities))
        // Open to anyone, as Status is: load balancers and orchestrators probe it without credentials.
        .addService(health.service())
        .build();
    try {
      client.start();
    } catch (IOException e) {
      health.close();
      node.close();
      peer.shutdownNow();
      executor.shutdownNow();
      guards.close();
      throw new UncheckedIOException("cannot listen for clients on " + clientListen + ": " + e.getMessage(), e);
    }
    return new RaftKvServer(node, transport, peer, client, executor, guards, security, health);
  }

  public RaftKvNode node() {
    return node;
  }

  /** The peer transport the node sends through (wrapped in fault injection only if asked for). */
  public Transport transport() {
    return transport;
  }

  /** The addresses the peer and client servers listen on, in that order. */
  public java.util.List<java.net.SocketAddress> listenAddresses() {
    java.util.List<java.net.SocketAddress> addresses = new java.util.ArrayList<>(peerServer.getListenSockets());
    addresses.addAll(clientServer.getListenSockets());
    return addresses;
  }

  public int peerPort() {
    return peerServer.getPort();
  }

  public int clientPort() {
    return clientServer.getPort();
  }

  /** Blocks until the servers stop. */
  public void awaitTermination() throws InterruptedException {
    clientServer.awaitTermination();
  }

  @Override
  public void close() {
    health.close();
    clientServer.shutdown();
    node.close();
    // The node is closed: what peers still stream to it is of no use, and their streams end only when
    // they stop, so a graceful shutdown would wait out its whole grace period while they run.
    peerServer.shutdownNow();
    try {
      clientServer.awaitTermination(5, TimeUnit.SECONDS);
      peerServer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clientServer.shutdownNow();
    peerServer.shutdownNow();
    executor.shutdownNow();
    guards.close();
    security.close();
  }

  /** The node's admission control (writes and reads in flight), e.g. for tests and metrics. */
  public AdmissionControl admission() {
    return guards.admission();
  }

  /** Watch streams being served now. */
  public int watchesInUse() {
    return guards.watches().inUse();
  }

  /** Backup streams being served now. */
  public int backupsInUse() {
    return guards.backups().inUse();
  }
}
