package io.raftkv.server.node;

import io.raftkv.server.feed.FeedRetention;

/**
 * The node's settings' defaults and allowed ranges, kept once: {@link NodeConfig.Builder} starts from them and
 * checks against them, and the {@code raftkv server} flags, their help and their errors name them.
 *
 * <p>They are compile-time constants (numbers and strings) so that flag descriptions can quote them. The limits
 * that are records of their own ({@code KvLimits}, {@code SessionPolicy}, {@code OverloadLimits}) keep their
 * {@code DEFAULT} beside their checks; the feed retention figures here are {@code FeedRetention}'s.
 */
public final class NodeDefaults {
  /** The cluster's name when none is given. */
  public static final String CLUSTER_ID = "raftkv";

  /** One raft tick, and its range: below 10 ms the loop spends itself on ticking. */
  public static final long TICK_MS = 100;
  public static final long MIN_TICK_MS = 10;
  public static final long MAX_TICK_MS = 10_000;

  /** Ticks without a leader before an election, and the most allowed. */
  public static final int ELECTION_TICKS = 10;
  public static final int MAX_ELECTION_TICKS = 1_000;
  /**
   * The fewest election ticks the command line accepts: with one heartbeat per tick, fewer would start an
   * election after a single late heartbeat. (The builder itself only needs more election than heartbeat ticks.)
   */
  public static final int MIN_ELECTION_TICKS_FLAG = 3;
  /** Ticks between a leader's heartbeats. */
  public static final int HEARTBEAT_TICKS = 1;

  /** Compact the raft log after this many applied entries or bytes, keeping the newest entries for followers. */
  public static final long LOG_GC_ENTRIES = 50_000;
  public static final long MAX_LOG_GC_ENTRIES = 1_000_000_000L;
  public static final long LOG_GC_BYTES = 256L << 20;
  public static final long LOG_GC_KEEP_ENTRIES = 1_000;

  /** How long a client request may wait for the cluster. */
  public static final long REQUEST_TIMEOUT_MS = 10_000;

  /** Change feed retention: events of the newest entries, and of the newest days (0 in either: no bound). */
  public static final long FEED_RETENTION_ENTRIES = FeedRetention.DEFAULT_ENTRIES;
  public static final long MAX_FEED_RETENTION_ENTRIES = 1_000_000_000_000L;
  public static final long FEED_RETENTION_DAYS = FeedRetention.DEFAULT_AGE_DAYS;
  /** As the {@code --feed-retention-age} flag writes it. */
  public static final String FEED_RETENTION_AGE = FEED_RETENTION_DAYS + "d";
  /** How often retention runs. */
  public static final long FEED_GC_INTERVAL_MS = 10_000;

  /** Raft flow control: appends in flight to one follower, bytes per append, and the leader's entry cache. */
  public static final int MAX_INFLIGHT_MSGS = 256;
  public static final long MAX_SIZE_PER_MSG = 1L << 20;
  public static final long ENTRY_CACHE_BYTES = 64L << 20;

  /** Password tokens: how long one lives unused (sliding), and the most a node holds (least recently used go). */
  public static final long TOKEN_TTL_MS = 5 * 60_000;
  public static final int MAX_TOKENS = 10_000;
  /** Password hashes a node computes at once (Authenticate, user add, passwd); more are refused, to be retried. */
  public static final int MAX_PASSWORD_HASHES_IN_FLIGHT = 2;

  private NodeDefaults() {}
}
