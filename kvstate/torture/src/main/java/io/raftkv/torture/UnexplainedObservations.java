package io.raftkv.torture;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A quick test that needs no search: an operation that observed a value (a get that read it, a matched
 * compare-and-set that expected it) when no operation invoked before it completed writes that value
 * cannot be linearized, whatever the rest. Such reads of values never written, written only by failed
 * operations, or written only later would otherwise be found only after the search had exhausted every
 * configuration before them, which in a long history can exceed any budget.
 */
final class UnexplainedObservations {
  private UnexplainedObservations() {}

  /** The first such operation, alone (a sub-history that is not linearizable), if there is one. */
  static Optional<List<RegisterOp>> find(List<RegisterOp> ops) {
    Map<Integer, Long> earliestWrite = new HashMap<>();
    for (RegisterOp op : ops) {
      if (op.writes()) {
        earliestWrite.merge(op.value(), op.callNanos(), Math::min);
      }
    }
    for (RegisterOp op : ops) {
      int observed = observedValue(op);
      if (observed != RegisterOp.ABSENT && observed != RegisterOp.IMPOSSIBLE
          && earliestWrite.getOrDefault(observed, Long.MAX_VALUE) > op.returnNanos()) {
        return Optional.of(List.of(op));
      }
    }
    return Optional.empty();
  }

  /** The value a required operation needs the register to hold, or IMPOSSIBLE if none in particular. */
  private static int observedValue(RegisterOp op) {
    if (!op.required()) {
      return RegisterOp.IMPOSSIBLE;
    }
    switch (op.kind()) {
      case READ:
        return op.value();
      case CAS:
        return op.expected();
      default:
        return RegisterOp.IMPOSSIBLE;
    }
  }
}
