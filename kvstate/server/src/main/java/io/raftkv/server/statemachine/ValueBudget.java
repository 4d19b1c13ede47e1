package io.raftkv.server.statemachine;

/**
 * Value bytes one write may still copy into its answer or its events. Values are taken in operation
 * order until the next would not fit; from then on every value is left out, so where the cut falls
 * depends only on the command and the state, the same on every replica.
 */
final class ValueBudget {
  private long left;
  private boolean exhausted;

  ValueBudget(long bytes) {
    this.left = bytes;
  }

  /** Whether a value of {@code size} bytes may be carried (and if so, charges it). */
  boolean take(int size) {
    if (exhausted || size > left) {
      exhausted = true;
      return false;
    }
    left -= size;
    return true;
  }

  /** Whether some value was left out. */
  boolean exhausted() {
    return exhausted;
  }
}
