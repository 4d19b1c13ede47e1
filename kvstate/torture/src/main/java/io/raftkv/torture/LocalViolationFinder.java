package io.raftkv.torture;

import java.util.List;
import java.util.Optional;

/**
 * Looks for a violation in a small part of a history whose full search ran out of budget. Proving a
 * history not linearizable means exhausting every configuration up to the violation, which for a long
 * history with many concurrent clients can cost more than any budget; but a violation is usually local.
 * So this cuts windows of growing size ending where the search got stuck, {@link SoundRemoval soundly}
 * removes everything else it can (and the unmatched compare-and-sets inside the window that completed
 * before the stuck point: they block the removal of every older write), and searches each. Sound
 * removal means a window that is not linearizable proves the whole history is not.
 */
final class LocalViolationFinder {
  /** Window sizes, in operations invoked up to where the search got stuck. */
  private static final int[] WINDOWS = {32, 128, 512};

  private LocalViolationFinder() {}

  /**
   * A non-linearizable sub-history of {@code ops} near {@code stuckAtNanos}, if one of the windows is;
   * each window's search gets {@code budget}.
   */
  static Optional<List<RegisterOp>> find(List<RegisterOp> ops, long stuckAtNanos, SearchBudget budget) {
    int end = 0;
    while (end < ops.size() && ops.get(end).callNanos() <= stuckAtNanos) {
      end++;
    }
    for (int window : WINDOWS) {
      int start = Math.max(0, end - window);
      boolean[] outside = new boolean[ops.size()];
      for (int i = 0; i < ops.size(); i++) {
        RegisterOp op = ops.get(i);
        boolean blocker = op.kind() == RegisterOp.Kind.CAS_UNMATCHED && op.returnNanos() < stuckAtNanos;
        outside[i] = i < start || i >= end || blocker;
      }
      List<RegisterOp> part = SoundRemoval.removeAsManyAsSound(ops, outside);
      if (part.size() < ops.size() && WglSearch.run(part, budget).verdict() == Verdict.NOT_LINEARIZABLE) {
        return Optional.of(part);
      }
      if (start == 0) {
        break;
      }
    }
    return Optional.empty();
  }
}
