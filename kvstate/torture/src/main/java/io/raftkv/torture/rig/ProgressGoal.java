package io.raftkv.torture.rig;

import java.time.Duration;
import java.util.Objects;

/**
 * What a torture run must have done before its nemesis stops, on top of its duration: faults injected and
 * operations answered. A slow or busy machine then runs longer instead of checking less; {@code limit} bounds
 * the extra time so a cluster that makes no progress still ends (and the caller sees the shortfall).
 *
 * @param faults faults the nemesis must have injected
 * @param answeredOperations operations that must have completed with an answer (ok)
 * @param limit the most the run goes on past its duration to reach the goal
 */
public record ProgressGoal(int faults, int answeredOperations, Duration limit) {
  /** Duration only: the run stops when its time is up. */
  public static final ProgressGoal NONE = new ProgressGoal(0, 0, Duration.ZERO);

  public ProgressGoal {
    Objects.requireNonNull(limit, "limit");
    if (faults < 0 || answeredOperations < 0 || limit.isNegative()) {
      throw new IllegalArgumentException("a progress goal's counts and limit must not be negative: "
          + faults + " faults, " + answeredOperations + " operations, " + limit);
    }
  }

  /** True once both counts are reached. */
  public boolean reachedBy(int faultsInjected, int operationsAnswered) {
    return faultsInjected >= faults && operationsAnswered >= answeredOperations;
  }
}
