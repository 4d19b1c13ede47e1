package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * An invocation paired with its completion. {@code completedNanos} is when the client recorded the
 * outcome, or {@link #NEVER} if it never did (the history ended first; the outcome is then unknown). The
 * checker treats an operation with an {@link Outcome.Unknown} outcome as one that may take effect at any
 * time after its invocation, whatever its recorded completion time.
 */
public record Operation(
    long id, int process, ByteString key, Command command, long invokedNanos, long completedNanos,
    Outcome outcome) {

  /** The completion time of an operation the history never saw complete. */
  public static final long NEVER = Long.MAX_VALUE;

  public Operation {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(outcome, "outcome");
    if (!command.accepts(outcome)) {
      throw new IllegalArgumentException("operation " + id + ": a " + command.getClass().getSimpleName()
          + " cannot end with " + outcome);
    }
    if (completedNanos < invokedNanos) {
      throw new IllegalArgumentException("operation " + id + " completed at " + completedNanos
          + " before it was invoked at " + invokedNanos);
    }
    if (completedNanos == NEVER && !(outcome instanceof Outcome.Unknown)) {
      throw new IllegalArgumentException("operation " + id + " never completed but has outcome " + outcome);
    }
  }

  public boolean isUnknown() {
    return outcome instanceof Outcome.Unknown;
  }
}
