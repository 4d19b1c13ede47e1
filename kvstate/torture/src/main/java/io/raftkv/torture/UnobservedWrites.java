package io.raftkv.torture;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the blind writes (puts and deletes) whose value no operation could ever observe: no operation
 * that may be ordered after the write (completing at or after its invocation) {@link
 * RegisterOp#couldDependOn could depend} on the register holding it. In a linearization such a write is
 * always followed at once by another blind write, or is last, which lets the search place it without
 * branching (see {@link WglSearch}).
 */
final class UnobservedWrites {
  private UnobservedWrites() {}

  /** For each operation, whether it is an unobserved blind write. Linear in the number of operations. */
  static boolean[] find(List<RegisterOp> ops) {
    // The latest completion of an operation that depends on each particular value...
    Map<Integer, Long> latestObserver = new HashMap<>();
    // ...of a version compare-and-set (depends on any present value)...
    long latestVersionCas = Long.MIN_VALUE;
    // ...and of unmatched compare-and-sets (each depends on every value but its expected one): the
    // latest two with different expected values are enough to answer for any value.
    long latestUnmatched = Long.MIN_VALUE;
    int latestUnmatchedExpected = RegisterOp.IMPOSSIBLE;
    long secondUnmatched = Long.MIN_VALUE;
    for (RegisterOp op : ops) {
      long end = op.returnNanos();
      switch (op.kind()) {
        case READ:
          latestObserver.merge(op.value(), end, Math::max);
          break;
        case CAS:
          latestObserver.merge(op.expected(), end, Math::max);
          break;
        case VERSION_CAS:
          latestVersionCas = Math.max(latestVersionCas, end);
          break;
        case CAS_UNMATCHED:
          if (op.expected() == latestUnmatchedExpected) {
            latestUnmatched = Math.max(latestUnmatched, end);
          } else if (end > latestUnmatched) {
            secondUnmatched = latestUnmatched;
            latestUnmatched = end;
            latestUnmatchedExpected = op.expected();
          } else {
            secondUnmatched = Math.max(secondUnmatched, end);
          }
          break;
        default:
          break;
      }
    }
    boolean[] unobserved = new boolean[ops.size()];
    for (int i = 0; i < ops.size(); i++) {
      RegisterOp op = ops.get(i);
      if (op.kind() != RegisterOp.Kind.WRITE) {
        continue;
      }
      long start = op.callNanos();
      long unmatched = op.value() == latestUnmatchedExpected ? secondUnmatched : latestUnmatched;
      unobserved[i] = latestObserver.getOrDefault(op.value(), Long.MIN_VALUE) < start
          && unmatched < start
          && (op.value() == RegisterOp.ABSENT || latestVersionCas < start);
    }
    return unobserved;
  }
}
