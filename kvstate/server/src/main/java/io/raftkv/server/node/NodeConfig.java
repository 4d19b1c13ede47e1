package io.raftkv.server.node;

import io.raftkv.api.Member;
import io.raftkv.server.statemachine.KvLimits;
import io.raftkv.server.feed.FeedRetention;
import io.raftkv.server.statemachine.SessionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** How one RaftKV node runs: identity, data directory, founding members, timing and limits. */
public final class NodeConfig {
  private final long nodeId;
  private final String clusterId;
  private final Path dataDir;
  private final Map<Long, Member> initialMembers;
  private final Duration tickInterval;
  private final int electionTicks;
  private final int heartbeatTicks;
  private final long logGcEntries;
  private final long logGcBytes;
  private final long logGcKeepEntries;
  private final Duration requestTimeout;
  private final KvLimits limits;
  private final SessionPolicy sessionPolicy;
  private final FeedRetention feedRetention;
  private final Duration feedGcInterval;
  private final int maxInflightMsgs;
  private final long maxSizePerMsg;
  private final long entryCacheBytes;
  private final String peerAddress;
  private final String clientAddress;
  private final OverloadLimits overloadLimits;

  private NodeConfig(Builder b) {
    this.nodeId = b.nodeId;
    this.clusterId = b.clusterId;
    this.dataDir = b.dataDir;
    this.initialMembers = Map.copyOf(b.initialMembers);
    this.tickInterval = b.tickInterval;
    this.electionTicks = b.electionTicks;
    this.heartbeatTicks = b.heartbeatTicks;
    this.logGcEntries = b.logGcEntries;
    this.logGcBytes = b.logGcBytes;
    this.logGcKeepEntries = b.logGcKeepEntries;
    this.requestTimeout = b.requestTimeout;
    this.limits = b.limits;
    this.sessionPolicy = b.sessionPolicy;
    this.feedRetention = b.feedRetention;
    this.feedGcInterval = b.feedGcInterval;
    this.maxInflightMsgs = b.maxInflightMsgs;
    this.maxSizePerMsg = b.maxSizePerMsg;
    this.entryCacheBytes = b.entryCacheBytes;
    this.peerAddress = b.peerAddress;
    this.clientAddress = b.clientAddress;
    this.overloadLimits = b.overloadLimits;
  }

  public static Builder builder() {
    return new Builder();
  }

  public long nodeId() {
    return nodeId;
  }

  public String clusterId() {
    return clusterId;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** The founding members (with their addresses) of a new group; empty to join or restart. */
  public Map<Long, Member> initialMembers() {
    return initialMembers;
  }

  public Duration tickInterval() {
    return tickInterval;
  }

  public int electionTicks() {
    return electionTicks;
  }

  public int heartbeatTicks() {
    return heartbeatTicks;
  }

  /** Compact the raft log once this many applied entries sit in it. */
  public long logGcEntries() {
    return logGcEntries;
  }

  /** Compact the raft log once the entries appended since the last compaction pass this many bytes. */
  public long logGcBytes() {
    return logGcBytes;
  }

  /** Entries kept behind the applied index at compaction, so slightly lagging followers need no snapshot. */
  public long logGcKeepEntries() {
    return logGcKeepEntries;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  public KvLimits limits() {
    return limits;
  }

  public SessionPolicy sessionPolicy() {
    return sessionPolicy;
  }

  /** How long the change feed keeps events. */
  public FeedRetention feedRetention() {
    return feedRetention;
  }

  /** How often the node deletes change feed events past the retention. */
  public Duration feedGcInterval() {
    return feedGcInterval;
  }

  public int maxInflightMsgs() {
    return maxInflightMsgs;
  }

  public long maxSizePerMsg() {
    return maxSizePerMsg;
  }

  public long entryCacheBytes() {
    return entryCacheBytes;
  }

  /** Where this node listens for peers (host:port), as the others reach it. */
  public String peerAddress() {
    return peerAddress;
  }

  /** Where this node listens for clients (host:port), as clients reach it. */
  public String clientAddress() {
    return clientAddress;
  }

  /** How much work the node accepts before refusing more (admission control, stream and queue bounds). */
  public OverloadLimits overloadLimits() {
    return overloadLimits;
  }

  /** Chained setters with working defaults; {@link #build()} names any bad value. */
  public static final class Builder {
    private long nodeId;
    private String clusterId = NodeDefaults.CLUSTER_ID;
    private Path dataDir;
    private Map<Long, Member> initialMembers = new LinkedHashMap<>();
    private Duration tickInterval = Duration.ofMillis(NodeDefaults.TICK_MS);
    private int electionTicks = NodeDefaults.ELECTION_TICKS;
    private int heartbeatTicks = NodeDefaults.HEARTBEAT_TICKS;
    private long logGcEntries = NodeDefaults.LOG_GC_ENTRIES;
    private long logGcBytes = NodeDefaults.LOG_GC_BYTES;
    private long logGcKeepEntries = NodeDefaults.LOG_GC_KEEP_ENTRIES;
    private Duration requestTimeout = Duration.ofMillis(NodeDefaults.REQUEST_TIMEOUT_MS);
    private KvLimits limits = KvLimits.DEFAULT;
    private SessionPolicy sessionPolicy = SessionPolicy.DEFAULT;
    private FeedRetention feedRetention = FeedRetention.DEFAULT;
    private Duration feedGcInterval = Duration.ofMillis(NodeDefaults.FEED_GC_INTERVAL_MS);
    private int maxInflightMsgs = NodeDefaults.MAX_INFLIGHT_MSGS;
    private long maxSizePerMsg = NodeDefaults.MAX_SIZE_PER_MSG;
    private long entryCacheBytes = NodeDefaults.ENTRY_CACHE_BYTES;
    private String peerAddress = "";
    private String clientAddress = "";
    private OverloadLimits overloadLimits = OverloadLimits.DEFAULT;

    private Builder() {}

    public Builder overloadLimits(OverloadLimits overloadLimits) {
      this.overloadLimits = Objects.requireNonNull(overloadLimits, "overloadLimits");
      return this;
    }

    public Builder peerAddress(String peerAddress) {
      this.peerAddress = peerAddress;
      return this;
    }

    public Builder clientAddress(String clientAddress) {
      this.clientAddress = clientAddress;
      return this;
    }

    public Builder nodeId(long nodeId) {
      this.nodeId = nodeId;
      return this;
    }

    public Builder clusterId(String clusterId) {
      this.clusterId = clusterId;
      return this;
    }

    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    public Builder initialMembers(Map<Long, Member> initialMembers) {
      this.initialMembers = new LinkedHashMap<>(initialMembers);
      return this;
    }

    public Builder tickInterval(Duration tickInterval) {
      this.tickInterval = tickInterval;
      return this;
    }

    public Builder electionTicks(int electionTicks) {
      this.electionTicks = electionTicks;
      return this;
    }

    public Builder heartbeatTicks(int heartbeatTicks) {
      this.heartbeatTicks = heartbeatTicks;
      return this;
    }

    public Builder logGcEntries(long logGcEntries) {
      this.logGcEntries = logGcEntries;
      return this;
    }

    public Builder logGcBytes(long logGcBytes) {
      this.logGcBytes = logGcBytes;
      return this;
    }

    public Builder logGcKeepEntries(long logGcKeepEntries) {
      this.logGcKeepEntries = logGcKeepEntries;
      return this;
    }

    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder limits(KvLimits limits) {
      this.limits = limits;
      return this;
    }

    public Builder sessionPolicy(SessionPolicy sessionPolicy) {
      this.sessionPolicy = sessionPolicy;
      return this;
    }

    public Builder feedRetention(FeedRetention feedRetention) {
      this.feedRetention = java.util.Objects.requireNonNull(feedRetention, "feedRetention");
      return this;
    }

    public Builder feedGcInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("feed GC interval is " + interval + "; it must be positive");
      }
      this.feedGcInterval = interval;
      return this;
    }

    public Builder maxInflightMsgs(int maxInflightMsgs) {
      this.maxInflightMsgs = maxInflightMsgs;
      return this;
    }

    public Builder maxSizePerMsg(long maxSizePerMsg) {
      this.maxSizePerMsg = maxSizePerMsg;
      return this;
    }

    public Builder entryCacheBytes(long entryCacheBytes) {
      this.entryCacheBytes = entryCacheBytes;
      return this;
    }

    public NodeConfig build() {
      if (nodeId <= 0) {
        throw new IllegalArgumentException("node id is " + nodeId + ": it must be a positive number");
      }
      if (clusterId == null || clusterId.isBlank()) {
        throw new IllegalArgumentException("cluster id is empty: give the cluster a name");
      }
      Objects.requireNonNull(dataDir, "data directory");
      if (!initialMembers.isEmpty() && !initialMembers.containsKey(nodeId)) {
        throw new IllegalArgumentException("the founding members " + initialMembers.keySet()
            + " do not include this node's id " + nodeId);
      }
      if (tickInterval.compareTo(Duration.ofMillis(NodeDefaults.MIN_TICK_MS)) < 0
          || tickInterval.compareTo(Duration.ofMillis(NodeDefaults.MAX_TICK_MS)) > 0) {
        throw new IllegalArgumentException("tick interval is " + tickInterval.toMillis() + " ms: expected "
            + NodeDefaults.MIN_TICK_MS + " to " + NodeDefaults.MAX_TICK_MS + " ms");
      }
      if (heartbeatTicks < 1 || electionTicks <= heartbeatTicks || electionTicks > NodeDefaults.MAX_ELECTION_TICKS) {
        throw new IllegalArgumentException("election ticks (" + electionTicks
            + ") must exceed heartbeat ticks (" + heartbeatTicks + "), which must be at least 1, and be at most "
            + NodeDefaults.MAX_ELECTION_TICKS);
      }
      for (String[] address : new String[][] {{"peer address", peerAddress}, {"client address", clientAddress}}) {
        String problem = address[1] == null || address[1].isEmpty() ? null
            : MembershipCheck.addressProblem(address[0], address[1]);
        if (problem != null) {
          throw new IllegalArgumentException(problem);
        }
      }
      java.util.Set<String> peerAddresses = new java.util.HashSet<>();
      for (Member m : initialMembers.values()) {
        String problem = MembershipCheck.addressProblem("peer address", m.getPeerAddress());
        if (problem != null) {
          throw new IllegalArgumentException("founding member " + m.getId() + ": " + problem);
        }
        if (!peerAddresses.add(m.getPeerAddress())) {
          throw new IllegalArgumentException("founding member " + m.getId() + " has the peer address "
              + m.getPeerAddress() + " of another founding member: each member needs its own");
        }
      }
      if (maxInflightMsgs < 1 || maxSizePerMsg < 1 || entryCacheBytes < 0) {
        throw new IllegalArgumentException("raft flow control must be positive (in-flight messages "
            + maxInflightMsgs + ", bytes per message " + maxSizePerMsg + ", entry cache " + entryCacheBytes + ")");
      }
      if (logGcEntries < 1 || logGcBytes < 1 || logGcKeepEntries < 0) {
        throw new IllegalArgumentException("log GC thresholds must be positive (entries " + logGcEntries
            + ", bytes " + logGcBytes + ", keep " + logGcKeepEntries + ")");
      }
      if (requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException("request timeout is " + requestTimeout + ": it must be positive");
      }
      return new NodeConfig(this);
    }
  }
}
