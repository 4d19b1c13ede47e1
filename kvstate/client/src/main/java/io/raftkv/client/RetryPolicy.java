package io.raftkv.client;

import io.raftkv.api.Error;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * Which failed tries a call repeats, toward whom, and after how long. Pure (no clock, no I/O) but for its
 * random source; one instance per call, since its back-offs grow with each wait.
 */
final class RetryPolicy {
  /** Longest one try may take, so a try stuck on a dead node leaves time for others before the deadline. */
  static final long MAX_ATTEMPT_NANOS = TimeUnit.SECONDS.toNanos(3);

  private final boolean leaderOnly;
  /** After a failover sign (node gone, leader unknown): 5-10 ms, doubling up to 250-500 ms. */
  private final Backoff failover;
  /**
   * After a refusal as overloaded: 50-100 ms, doubling up to 0.5-1 s. Longer than after a failover,
   * because a refused write travelled with its value for nothing and the node's queue drains in about a
   * round of replication, not at once.
   */
  private final Backoff overload;
  /** The nodes that dropped this call's token: it retries once per node, which may each hold a stale one. */
  private final java.util.Set<String> tokenRenewedAt = new java.util.HashSet<>();

  /**
   * @param leaderOnly the call must reach the leader (writes, linearizable reads, admin); else any node
   *     answers (serializable reads, member lists)
   */
  RetryPolicy(boolean leaderOnly, RandomGenerator random) {
    this.leaderOnly = leaderOnly;
    this.failover = new Backoff(10, 500, 6, random);
    this.overload = new Backoff(100, 1000, 4, random);
  }

  /** The deadline of one try started at {@code nowNanos}: the call's, or sooner if that is far. */
  static long attemptDeadline(long nowNanos, long callDeadlineNanos) {
    return Math.min(callDeadlineNanos, nowNanos + MAX_ATTEMPT_NANOS);
  }

  /** Whether a call whose deadline is {@code callDeadlineNanos} may start another try at {@code nowNanos}. */
  static boolean mayTry(long nowNanos, long callDeadlineNanos) {
    return nowNanos < callDeadlineNanos;
  }

  /** What to do after a try failed with {@code e} (a try whose node is unknown: a dropped token is renewed once). */
  RetryDecision decide(RaftKvException e) {
    return decide(e, "");
  }

  /** What to do after a try against {@code endpoint} failed with {@code e}. */
  RetryDecision decide(RaftKvException e, String endpoint) {
    if (e.getCause() instanceof CallBatcher.QueuedTooLong) {
      // Never sent: this client queues more than the node admits. Not a sign the node is gone, so keep
      // the leader and wait as after a refusal.
      return new RetryDecision.Retry(overload.nextMillis(), LeaderNews.UNCHANGED, false);
    }
    if (e.code() == Error.Code.RESOURCE_EXHAUSTED) {
      // The node is at a load bound and did nothing: back off and try the same node again with the same
      // request, until the deadline.
      return new RetryDecision.Retry(overload.nextMillis(), LeaderNews.UNCHANGED, true);
    }
    if (e.code() == Error.Code.INVALID_TOKEN) {
      // The node no longer holds the token (expired, or it restarted): the credentials dropped it, so the
      // next try authenticates again. Once per node: a second refusal there is not a stale token.
      return tokenRenewedAt.add(endpoint) ? new RetryDecision.Retry(0, LeaderNews.UNCHANGED, false)
          : RetryDecision.GIVE_UP;
    }
    if (e.code() == Error.Code.UNAUTHENTICATED || e.code() == Error.Code.PERMISSION_DENIED) {
      return RetryDecision.GIVE_UP; // the same answer until users or roles change
    }
    if (!leaderOnly) {
      return e.code() == Error.Code.INVALID_ARGUMENT ? RetryDecision.GIVE_UP
          : new RetryDecision.Retry(failover.nextMillis(), LeaderNews.UNCHANGED, false);
    }
    return switch (e.code()) {
      case NOT_LEADER -> e.leaderAddress().isEmpty()
          ? new RetryDecision.Retry(failover.nextMillis(), LeaderNews.UNKNOWN, false)
          // At once, but off the failing try's stack: redirects could chain.
          : new RetryDecision.Retry(0, new LeaderNews.At(e.leaderAddress()), false);
      case UNAVAILABLE, TIMEOUT, STALE_COMMAND, UNKNOWN ->
          new RetryDecision.Retry(failover.nextMillis(), LeaderNews.UNKNOWN, false);
      default -> RetryDecision.GIVE_UP;
    };
  }
}
