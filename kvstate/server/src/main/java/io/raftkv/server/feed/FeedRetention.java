package io.raftkv.server.feed;

import java.time.Duration;

/**
 * How long the change feed keeps events: those of the last {@code entries} applied log entries, and no
 * older than {@code age}; whichever bound is tighter wins. Zero turns a bound off.
 */
public record FeedRetention(long entries, Duration age) {
  /** The last million entries, and a week. */
  public static final FeedRetention DEFAULT = new FeedRetention(1_000_000, Duration.ofDays(7));

  public FeedRetention {
    if (entries < 0) {
      throw new IllegalArgumentException("feed retention entries is " + entries + "; it must be 0 (no bound) or more");
    }
    if (age == null || age.isNegative()) {
      throw new IllegalArgumentException("feed retention age is " + age + "; it must be 0 (no bound) or more");
    }
  }
}
