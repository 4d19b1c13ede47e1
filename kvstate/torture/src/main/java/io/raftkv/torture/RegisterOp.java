package io.raftkv.torture;

/**
 * One operation of one key's history in the form the search works on: the key is a register whose
 * state is a small integer (0 = absent, each distinct value its own number), and each operation is a
 * step that either moves the register to a new state or is impossible in the current one.
 *
 * @param callNanos the invocation time
 * @param returnNanos the completion time, or {@link Long#MAX_VALUE} if the operation is optional
 * @param required false for an operation with an unknown outcome: it may take effect at any time after
 *     its call, or never
 */
record RegisterOp(
    Operation source, Kind kind, int expected, int value, long callNanos, long returnNanos, boolean required) {

  /** The register state a step cannot happen in. */
  static final int IMPOSSIBLE = -1;

  static final int ABSENT = 0;

  /** What the step does. */
  enum Kind {
    /** Put or delete: the register becomes {@code value}. */
    WRITE,
    /** A get: possible only if the register holds {@code value}. */
    READ,
    /**
     * A compare-and-set that took (or, if not required, may take) effect: possible only if the register
     * holds {@code expected}; it becomes {@code value}. Not taking effect is the same as never happening,
     * so an optional one needs no other branch.
     */
    CAS,
    /** A compare-and-set that did not match: possible only if the register does not hold {@code expected}. */
    CAS_UNMATCHED,
    /**
     * A compare-and-set on a version that matched (or may match): the history does not know versions, so
     * it is possible whenever the key exists (a matched version is never 0); it becomes {@code value}.
     */
    VERSION_CAS
  }

  /** The register's state after this step from {@code state}, or {@link #IMPOSSIBLE}. */
  int step(int state) {
    switch (kind) {
      case WRITE:
        return value;
      case READ:
        return state == value ? state : IMPOSSIBLE;
      case CAS:
        return state == expected ? value : IMPOSSIBLE;
      case CAS_UNMATCHED:
        return state != expected ? state : IMPOSSIBLE;
      case VERSION_CAS:
        return state != ABSENT ? value : IMPOSSIBLE;
      default:
        throw new AssertionError(kind);
    }
  }

  /** Whether this step can change the register. */
  boolean writes() {
    return kind == Kind.WRITE || kind == Kind.CAS || kind == Kind.VERSION_CAS;
  }

  /**
   * Whether this step, run right after a write that left the register at {@code state}, could be
   * possible there yet impossible in some other state. Plain writes are possible anywhere.
   */
  boolean couldDependOn(int state) {
    switch (kind) {
      case WRITE:
        return false;
      case READ:
        return value == state;
      case CAS:
        return expected == state;
      case CAS_UNMATCHED:
        // Possible at any state but one; which one the register would hold without the write is unknown.
        return expected != state;
      case VERSION_CAS:
        return state != ABSENT;
      default:
        throw new AssertionError(kind);
    }
  }
}
