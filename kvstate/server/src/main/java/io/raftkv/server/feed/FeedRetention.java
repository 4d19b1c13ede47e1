package io.raftkv.server.feed;

import java.time.Duration;

/**
 * How long the change feed keeps events: those of the last {@code entries} applied log entries, and no
 * older than {@code age}; whichever bound is tighter wins. Zero turns a bound off.
 */
public record FeedRetention(long entries, Duration age) {
  /** The last million entries, and a week. */
  /** Events of this many newest entries are kept by default. */
  public static final long DEFAULT_ENTRIES = 1_000_000;
  /** Events this many days old are kept by default. */
  public static final long DEFAULT_AGE_DAYS = 7;
  public static final FeedRetention DEFAULT = new FeedRetention(DEFAULT_ENTRIES, Duration.ofDays(DEFAULT_AGE_DAYS));

  public FeedRetention {
    if (entries < 0) {
      throw new IllegalArgumentException("feed retention entries is " + entries + "; it must be 0 (no bound) or more");
    }
    if (age == null || age.isNegative()) {
      throw new IllegalArgumentException("feed retention age is " + age + "; it must be 0 (no bound) or more");
    }
  }
}
