package io.raftkv.cli;

import io.raftkv.api.Member;
import io.raftkv.client.Endpoints;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.service.RaftKvServer;
import io.raftkv.server.storage.StorageFailures;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
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
        "6:the node stopped on an internal error (see the log)"},
    description = {"Run a RaftKV node.",
        "Options can also come from a properties file (--config) with the same names without dashes;"
            + " flags given on the command line win."})
final class ServerCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "A properties file with any of these options.")
  Path configFile;

  @Option(names = "--id", description = "This node's id, a positive number.")
  Long id;

  @Option(names = "--cluster-id", description = "The cluster's name; a data directory serves one cluster (default raftkv).")
  String clusterId;

  @Option(names = "--client-addr", paramLabel = "HOST:PORT", description = "Where clients reach this node.")
  String clientAddr;

  @Option(names = "--peer-addr", paramLabel = "HOST:PORT", description = "Where the other nodes reach this node.")
  String peerAddr;

  @Option(names = "--peers", paramLabel = "ID=HOST:PORT,...",
      description = "The founding members and their peer addresses, this node included. Used once, to create the"
          + " cluster; a restarted node reads its members from its data directory.")
  String peers;

  @Option(names = "--join", description = "Start as a new member of a running cluster (add it first with"
      + " 'raftkv members add').")
  Boolean join;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where this node keeps its data.")
  Path dataDir;

  @Option(names = "--tick-ms", description = "Raft tick in milliseconds (default 100).")
  Integer tickMs;

  @Option(names = "--election-ticks", description = "Ticks without a leader before an election (default 10).")
  Integer electionTicks;

  @Option(names = "--log-gc-entries", description = "Compact the raft log after this many applied entries (default 50000).")
  Long logGcEntries;

  @Option(names = "--feed-retention-entries",
      description = "Keep change feed events of the last N applied log entries (default 1000000; 0: no bound).")
  String feedRetentionEntries;

  @Option(names = "--feed-retention-age", paramLabel = "DURATION",
      description = "Keep change feed events this long, e.g. 12h, 7d (default 7d; 0s: no bound).")
  String feedRetentionAge;

  @Option(names = "--fault-injection", description = "For test rigs only (raftkv torture): accept the"
      + " SetNetworkFaults admin call, which cuts, drops and delays this node's peer traffic. Off by default;"
      + " never turn it on in production.")
  boolean faultInjection;

  @Override
  public Integer call() throws Exception {
    Properties file = new Properties();
    if (configFile != null) {
      if (!Files.isReadable(configFile)) {
        throw new IllegalArgumentException("--config " + configFile + ": file not found or not readable");
      }
      try (Reader r = Files.newBufferedReader(configFile)) {
        file.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("--config " + configFile + ": cannot read it: " + e.getMessage());
      }
      for (String name : file.stringPropertyNames()) {
        if (!KNOWN.containsKey(name)) {
          throw new IllegalArgumentException("--config " + configFile + ": unknown property '" + name
              + "'; known: " + String.join(", ", KNOWN.keySet()));
        }
      }
    }
    long nodeId = number("id", id, file, null);
    String client = Endpoints.check(text("client-addr", clientAddr, file, null));
    String peer = Endpoints.check(text("peer-addr", peerAddr, file, null));
    Path dir = Path.of(text("data-dir", dataDir == null ? null : dataDir.toString(), file, null));
    boolean joining = join != null ? join : Boolean.parseBoolean(file.getProperty("join", "false"));
    String peersText = text("peers", peers, file, "");
    Map<Long, Member> founding = parsePeers(peersText, nodeId, peer, client);
    if (joining && !founding.isEmpty()) {
      throw new IllegalArgumentException("--join and --peers exclude each other: --peers creates a new cluster,"
          + " --join adds this node to a running one");
    }
    if (!joining && founding.isEmpty() && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--data-dir " + dir + " does not exist yet: give --peers to create a"
          + " new cluster, or --join to join a running one");
    }
    NodeConfig config = NodeConfig.builder()
        .nodeId(nodeId)
        .clusterId(text("cluster-id", clusterId, file, "raftkv"))
        .dataDir(dir)
        .initialMembers(founding)
        .peerAddress(peer)
        .clientAddress(client)
        .tickInterval(Duration.ofMillis(number("tick-ms", tickMs == null ? null : tickMs.longValue(), file, 100L)))
        .electionTicks((int) number("election-ticks", electionTicks == null ? null : electionTicks.longValue(), file, 10L))
        .logGcEntries(number("log-gc-entries", logGcEntries, file, 50_000L))
        .feedRetention(feedRetention(file))
        .build();
    RaftKvServer server;
    try {
      server = RaftKvServer.start(config, "0.0.0.0", Endpoints.port(peer), Endpoints.port(client), faultInjection);
    } catch (RuntimeException e) {
      if (StorageFailures.isStorageFailure(e)) {
        System.err.println("raftkv: node " + nodeId + " cannot start: storage failure on " + dir + ": "
            + StorageFailures.describe(e) + "; exiting with " + ExitCodes.STORAGE_FAILURE);
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
        System.err.println("raftkv: node " + nodeId + " stopped: "
            + (storage ? "storage failure on " + dir + ": " : "internal error: ") + StorageFailures.describe(cause)
            + "; exiting with " + code);
        System.err.flush();
        stopped.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "raftkv-shutdown"));
    System.out.println("raftkv node " + nodeId + " serving clients on " + client + ", peers on " + peer
        + ", data in " + dir + (faultInjection ? "; fault injection ON (test rigs only)" : ""));
    System.out.flush();
    stopped.await();
    return exitCode.get();
  }

  private static final Map<String, String> KNOWN = new LinkedHashMap<>();

  static {
    for (String name : new String[] {"id", "cluster-id", "client-addr", "peer-addr", "peers", "join", "data-dir",
        "tick-ms", "election-ticks", "log-gc-entries", "feed-retention-entries", "feed-retention-age"}) {
      KNOWN.put(name, name);
    }
  }

  private FeedRetention feedRetention(Properties file) {
    String entriesText = text("feed-retention-entries", feedRetentionEntries, file, "1000000");
    long entries;
    try {
      entries = Long.parseLong(entriesText);
    } catch (NumberFormatException e) {
      entries = -1;
    }
    if (entries < 0) {
      throw new IllegalArgumentException("--feed-retention-entries is '" + entriesText
          + "'; it must be a whole number, 0 for no bound");
    }
    Duration age = Durations.parseOrZero("--feed-retention-age", text("feed-retention-age", feedRetentionAge, file, "7d"));
    return new FeedRetention(entries, age);
  }

  private static String text(String name, String flag, Properties file, String fallback) {
    String value = flag != null ? flag : file.getProperty(name, fallback);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value.trim();
  }

  private static long number(String name, Long flag, Properties file, Long fallback) {
    if (flag != null) {
      return positive(name, flag);
    }
    String value = file.getProperty(name);
    if (value == null) {
      if (fallback == null) {
        throw new IllegalArgumentException("--" + name + " is required");
      }
      return fallback;
    }
    try {
      return positive(name, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " is '" + value + "': expected a positive number");
    }
  }

  private static long positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("--" + name + " is " + value + ": expected a positive number");
    }
    return value;
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
