package io.raftkv.cli;

import io.raftkv.api.Member;
import io.raftkv.client.Endpoints;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.node.NodeDefaults;
import io.raftkv.server.service.RaftKvServer;
import io.raftkv.server.service.ServerSecurity;
import io.raftkv.api.tls.NodeUri;
import io.raftkv.server.storage.StorageFailures;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.StorageEngine;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import io.raftkv.server.feed.FeedRetention;
import picocli.CommandLine.Option;

/** raftkv server: runs one node until stopped (SIGTERM / Ctrl-C). */
@Command(name = "server", mixinStandardHelpOptions = true,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped (SIGTERM / Ctrl-C)", "2:bad command line or configuration",
        "5:storage failure (disk full, I/O error): fix it, then start the node again",
        "6:cannot start on what it was given (a port in use, its data directory; the message says which)",
        "7:the node stopped on an internal error (see the log)"},
    description = {"Run a RaftKV node.",
        "Options can also come from a properties file (--config) with the same names without dashes;"
            + " flags given on the command line win."})
final class ServerCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "A properties file with any of these options.")
  Path configFile;

  @Option(names = "--id", paramLabel = "ID", description = "This node's id, a positive number.")
  String id;

  @Option(names = "--cluster-id", description = "The cluster's name, 1-64 of A-Z a-z 0-9 . _ -; a data directory"
      + " serves one cluster (default " + NodeDefaults.CLUSTER_ID + ").")
  String clusterId;

  @Option(names = "--client-addr", paramLabel = "HOST:PORT",
      description = "Where clients reach this node: an address of this host, its own port. The node listens there"
          + " and only there, and tells others so (unless --listen-client-addr / --advertise-client-addr say"
          + " otherwise).")
  String clientAddr;

  @Option(names = "--peer-addr", paramLabel = "HOST:PORT",
      description = "Where the other nodes reach this node: an address of this host, its own port (see"
          + " --client-addr; --listen-peer-addr / --advertise-peer-addr split it).")
  String peerAddr;

  @Option(names = "--listen-client-addr", paramLabel = "HOST:PORT", description = "Where the node listens for"
      + " clients, if not at --client-addr (e.g. 0.0.0.0:7001 for every interface).")
  String listenClientAddr;

  @Option(names = "--advertise-client-addr", paramLabel = "HOST:PORT", description = "Where clients are told to"
      + " reach this node (leader redirects), if not at --client-addr (e.g. behind NAT).")
  String advertiseClientAddr;

  @Option(names = "--listen-peer-addr", paramLabel = "HOST:PORT",
      description = "Where the node listens for peers, if not at --peer-addr.")
  String listenPeerAddr;

  @Option(names = "--advertise-peer-addr", paramLabel = "HOST:PORT",
      description = "Where peers are told to reach this node, if not at --peer-addr.")
  String advertisePeerAddr;

  @picocli.CommandLine.Mixin
  ServerTlsOptions tls = new ServerTlsOptions();

  @Option(names = "--peers", paramLabel = "ID=HOST:PORT,...",
      description = "The founding members and their peer addresses, this node included. Used once, to create the"
          + " cluster; a restarted node reads its members from its data directory (given again, --peers must"
          + " match them; change members with 'raftkv members add/remove').")
  String peers;

  @Option(names = "--join", description = "Start as a new member of a running cluster (add it first with"
      + " 'raftkv members add').")
  Boolean join;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where this node keeps its data: a new or empty"
      + " directory, or this node's existing one.")
  String dataDir;

  @Option(names = "--tick-ms", paramLabel = "MS", description = "Raft tick in milliseconds, "
      + NodeDefaults.MIN_TICK_MS + "-" + NodeDefaults.MAX_TICK_MS + " (default " + NodeDefaults.TICK_MS + ").")
  String tickMs;

  @Option(names = "--election-ticks", paramLabel = "N", description = "Ticks without a leader before an election, "
      + NodeDefaults.MIN_ELECTION_TICKS_FLAG + "-" + NodeDefaults.MAX_ELECTION_TICKS
      + " (default " + NodeDefaults.ELECTION_TICKS + ").")
  String electionTicks;

  @Option(names = "--log-gc-entries", paramLabel = "N",
      description = "Compact the raft log after this many applied entries, 1-" + NodeDefaults.MAX_LOG_GC_ENTRIES
          + " (default " + NodeDefaults.LOG_GC_ENTRIES + ").")
  String logGcEntries;

  @Option(names = "--feed-retention-entries", paramLabel = "N",
      description = "Keep change feed events of the last N applied log entries (default "
          + NodeDefaults.FEED_RETENTION_ENTRIES + "; 0: no bound).")
  String feedRetentionEntries;

  @Option(names = "--feed-retention-age", paramLabel = "DURATION",
      description = "Keep change feed events this long, e.g. 12h, 7d (default "
          + NodeDefaults.FEED_RETENTION_AGE + "; 0s: no bound).")
  String feedRetentionAge;

  @Option(names = "--fault-injection", description = "For test rigs only (raftkv torture): accept the"
      + " SetNetworkFaults admin call, which cuts, drops and delays this node's peer traffic. Off by default;"
      + " never turn it on in production.")
  boolean faultInjection;

  static final java.util.regex.Pattern CLUSTER_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The keys a --config file may set: the flags without dashes. */
  static final Set<String> KNOWN = new LinkedHashSet<>(List.of("id", "cluster-id", "client-addr", "peer-addr",
      "listen-client-addr", "advertise-client-addr", "listen-peer-addr", "advertise-peer-addr",
      "peers", "join", "data-dir", "tick-ms", "election-ticks", "log-gc-entries", "feed-retention-entries",
      "feed-retention-age"));

  static {
    KNOWN.addAll(ServerTlsOptions.KEYS);
  }

  private ServerSettings settings = new ServerSettings(ServerProperties.none());
  /** Where the peer and client servers listen, as checked by {@link #configuration()}. */
  private String peerListen;
  private String clientListen;

  @Override
  public Integer call() throws Exception {
    NodeConfig config = configuration();
    String client = config.clientAddress();
    String peer = config.peerAddress();
    // Before anything is created or touched: both ports must be free.
    LocalAddresses.checkFree(listenOrigin("peer"), peerListen);
    LocalAddresses.checkFree(listenOrigin("client"), clientListen);
    ServerSecurity security = tls.open(settings, () -> nodeUri(config));
    RaftKvServer server;
    try {
      // Each server listens on exactly the address it was given, never on every interface.
      server = RaftKvServer.start(config, LocalAddresses.listenAddress(peerListen),
          LocalAddresses.listenAddress(clientListen), faultInjection, null, security);
    } catch (DataDirectoryException | UncheckedIOException e) {
      throw new CannotStartException(e.getMessage(), e);
    } catch (RuntimeException e) {
      if (StorageFailures.isStorageFailure(e)) {
        System.err.println("raftkv: node " + config.nodeId() + " cannot start: storage failure on "
            + config.dataDir() + ": " + StorageFailures.describe(e) + "; exiting with " + ExitCodes.STORAGE_FAILURE);
        return ExitCodes.STORAGE_FAILURE;
      }
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicInteger exitCode = new AtomicInteger(ExitCodes.OK);
    // A node that stopped on its own cannot serve again in this process: exit so a supervisor restarts it.
    server.node().terminated().thenAccept(cause -> {
      if (cause != null) {
        boolean storage = StorageFailures.isStorageFailure(cause);
        int code = storage ? ExitCodes.STORAGE_FAILURE : ExitCodes.NODE_FAILURE;
        exitCode.set(code);
        System.err.println("raftkv: node " + config.nodeId() + " stopped: "
            + (storage ? "storage failure on " + config.dataDir() + ": " : "internal error: ") + StorageFailures.describe(cause)
            + "; exiting with " + code);
        System.err.flush();
        stopped.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "raftkv-shutdown"));
    System.out.println("raftkv node " + config.nodeId() + " serving clients on " + clientListen + ", peers on "
        + peerListen + (clientListen.equals(client) && peerListen.equals(peer) ? ""
            : " (advertised as " + client + " and " + peer + ")")
        + ", data in " + config.dataDir() + (security.isTls() ? ", TLS on both ports" : ", PLAINTEXT (--insecure)")
        + (faultInjection ? "; fault injection ON (test rigs only)" : ""));
    System.out.flush();
    stopped.await();
    return exitCode.get();
  }

  /**
   * Every setting from the flags and the --config file, checked; nothing is created or touched.
   *
   * @throws IllegalArgumentException naming the first bad value and what is allowed
   */
  NodeConfig configuration() {
    if (configFile != null) {
      settings = new ServerSettings(ServerProperties.read(configFile, KNOWN));
    }
    long nodeId = number("id", id, null, 1, Long.MAX_VALUE);
    String clusterName = text("cluster-id", clusterId, NodeDefaults.CLUSTER_ID);
    if (!CLUSTER_ID.matcher(clusterName).matches()) {
      throw new IllegalArgumentException(option("cluster-id", clusterId) + " is '" + clusterName
          + "': expected 1-64 characters of A-Z a-z 0-9 . _ -");
    }
    String client = advertised("client", clientAddr, advertiseClientAddr);
    String peer = advertised("peer", peerAddr, advertisePeerAddr);
    clientListen = listen("client", clientAddr, listenClientAddr);
    peerListen = listen("peer", peerAddr, listenPeerAddr);
    if (Endpoints.port(clientListen) == Endpoints.port(peerListen)
        && Endpoints.host(clientListen).equals(Endpoints.host(peerListen))) {
      throw new IllegalArgumentException(listenOrigin("client") + " " + clientListen + " and " + listenOrigin("peer")
          + " " + peerListen + " use the same port " + Endpoints.port(clientListen) + ": give each its own port");
    }
    String dirText = text("data-dir", dataDir, null);
    Path dir = Path.of(dirText);
    boolean joining = settings.bool("join", join);
    String peersText = text("peers", peers, "");
    Map<Long, Member> founding = parsePeers(peersText, nodeId, peer, client);
    if (joining && !founding.isEmpty()) {
      throw new IllegalArgumentException("--join and --peers exclude each other: --peers creates a new cluster,"
          + " --join adds this node to a running one");
    }
    if (!joining && founding.isEmpty() && !StorageEngine.isDataDirectory(dir)) {
      throw new IllegalArgumentException("--data-dir " + dir + " holds no node's data yet: give --peers to create a"
          + " new cluster, or --join to join a running one");
    }
    long tick = number("tick-ms", tickMs, NodeDefaults.TICK_MS, NodeDefaults.MIN_TICK_MS, NodeDefaults.MAX_TICK_MS);
    long election = number("election-ticks", electionTicks, (long) NodeDefaults.ELECTION_TICKS,
        NodeDefaults.MIN_ELECTION_TICKS_FLAG, NodeDefaults.MAX_ELECTION_TICKS);
    return NodeConfig.builder()
        .nodeId(nodeId)
        .clusterId(clusterName)
        .dataDir(dir)
        .initialMembers(founding)
        .peerAddress(peer)
        .clientAddress(client)
        .tickInterval(Duration.ofMillis(tick))
        .electionTicks((int) election)
        .logGcEntries(number("log-gc-entries", logGcEntries, NodeDefaults.LOG_GC_ENTRIES, 1,
            NodeDefaults.MAX_LOG_GC_ENTRIES))
        .feedRetention(new FeedRetention(feedRetentionEntries(),
            Durations.parseOrZero(option("feed-retention-age", feedRetentionAge),
                text("feed-retention-age", feedRetentionAge, NodeDefaults.FEED_RETENTION_AGE))))
        .build();
  }

  private long feedRetentionEntries() {
    try {
      return number("feed-retention-entries", feedRetentionEntries, NodeDefaults.FEED_RETENTION_ENTRIES, 0,
          NodeDefaults.MAX_FEED_RETENTION_ENTRIES);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option("feed-retention-entries", feedRetentionEntries) + " is '"
          + text("feed-retention-entries", feedRetentionEntries, "") + "': expected a whole number from 0 (no bound)"
          + " to " + NodeDefaults.MAX_FEED_RETENTION_ENTRIES);
    }
  }

  private String option(String name, String flag) {
    return settings.origin(name, flag);
  }

  private String text(String name, String flag, String fallback) {
    return settings.text(name, flag, fallback);
  }

  private long number(String name, String flag, Long fallback, long min, long max) {
    return settings.number(name, flag, fallback, min, max);
  }

  /** What others are told of this node's {@code kind} ("client" or "peer") address. */
  private String advertised(String kind, String both, String advertise) {
    String value = settings.addressOrNull("advertise-" + kind + "-addr", advertise);
    if (value == null) {
      value = settings.addressOrNull(kind + "-addr", both);
    }
    if (value == null) {
      throw new IllegalArgumentException("--" + kind + "-addr is required (or --advertise-" + kind + "-addr with"
          + " --listen-" + kind + "-addr)");
    }
    return value;
  }

  /** Where the node listens for {@code kind}: an address of this host. */
  private String listen(String kind, String both, String listen) {
    String name = settings.given("listen-" + kind + "-addr", listen) ? "listen-" + kind + "-addr" : kind + "-addr";
    String flag = name.startsWith("listen") ? listen : both;
    String value = settings.addressOrNull(name, flag);
    if (value == null) {
      throw new IllegalArgumentException("--" + kind + "-addr is required (or --listen-" + kind + "-addr with"
          + " --advertise-" + kind + "-addr)");
    }
    LocalAddresses.checkOwn(settings.origin(name, flag), value);
    return value;
  }

  /** How an error names the flag (or file line) that gave a listen address. */
  private String listenOrigin(String kind) {
    String listen = kind.equals("client") ? listenClientAddr : listenPeerAddr;
    String both = kind.equals("client") ? clientAddr : peerAddr;
    return settings.given("listen-" + kind + "-addr", listen) ? settings.origin("listen-" + kind + "-addr", listen)
        : settings.origin(kind + "-addr", both);
  }

  private static NodeUri nodeUri(NodeConfig config) {
    try {
      return new NodeUri(config.clusterId(), config.nodeId());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--cluster-id '" + config.clusterId() + "' cannot be named in a node"
          + " certificate: " + e.getMessage());
    }
  }

  /** Parses "1=host:port,2=host:port"; this node's entry must match its --peer-addr. */
  static Map<Long, Member> parsePeers(String text, long selfId, String selfPeer, String selfClient) {
    Map<Long, Member> out = PeerList.parse(text);
    if (out.isEmpty()) {
      return out;
    }
    Member self = out.get(selfId);
    if (self == null) {
      throw new IllegalArgumentException("--peers " + text + " does not list this node (--id " + selfId + ")");
    }
    if (!self.getPeerAddress().equals(selfPeer)) {
      throw new IllegalArgumentException("--peers gives node " + selfId + " the address " + self.getPeerAddress()
          + " but --peer-addr is " + selfPeer);
    }
    out.put(selfId, self.toBuilder().setClientAddress(selfClient).build());
    return out;
  }
}
