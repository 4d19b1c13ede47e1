package io.raftkv.torture;

import java.time.Duration;
import java.util.Objects;

/**
 * How much one search (one key's history) may cost before it gives up with {@link Verdict#UNKNOWN}:
 * linearizability checking is NP-complete, so a hard history must end in an honest "don't know" rather
 * than run forever. A step is one attempt to linearize or undo an operation; each remembered
 * configuration costs some tens of bytes plus one bit per operation of the key, and there are at most
 * as many as steps.
 */
public record SearchBudget(long maxSteps, Duration maxTime) {
  /** Enough for thousands of operations per key at a concurrency of 20, and bounded in memory. */
  public static final SearchBudget DEFAULT = new SearchBudget(5_000_000, Duration.ofSeconds(20));

  public SearchBudget {
    if (maxSteps <= 0) {
      throw new IllegalArgumentException("maxSteps is " + maxSteps + ": it must be positive");
    }
    Objects.requireNonNull(maxTime, "maxTime");
    if (maxTime.isNegative() || maxTime.isZero()) {
      throw new IllegalArgumentException("maxTime is " + maxTime + ": it must be positive");
    }
  }

  /** One of {@code parts} equal shares of this budget (never nothing). */
  SearchBudget share(int parts) {
    return new SearchBudget(Math.max(1, maxSteps / parts), maxTime.dividedBy(parts).plusNanos(1));
  }

  /** This budget, but ending no later than {@code deadlineNanos} (System.nanoTime based). */
  SearchBudget until(long deadlineNanos, long nowNanos) {
    long left = Math.max(1, deadlineNanos - nowNanos);
    return new SearchBudget(maxSteps, maxTime.toNanos() <= left ? maxTime : Duration.ofNanos(left));
  }
}
