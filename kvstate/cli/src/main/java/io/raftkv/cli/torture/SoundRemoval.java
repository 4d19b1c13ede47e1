package io.raftkv.cli.torture;

import java.util.ArrayList;
import java.util.List;

/**
 * Which operations can be taken out of a history without making a linearizable history look
 * non-linearizable. Taking one out must never manufacture a violation: otherwise a shrunk witness
 * could show a read of a value "never written" only because the shrinker removed its write.
 *
 * <p>A read-only step (a get, an unmatched compare-and-set) can always go: a linearization of the whole
 * is one of the rest with the step left out. A write W can go when no remaining operation that may be
 * ordered after it (one that completes at or after W's invocation) could depend on the register holding
 * W's value: then in any linearization the steps right after W are writes that ignore the state, so W
 * can be cut out of it.
 */
final class SoundRemoval {
  private SoundRemoval() {}

  /** Whether {@code ops.get(candidate)} can go from the ops not marked in {@code removed}. */
  static boolean canRemove(List<RegisterOp> ops, boolean[] removed, int candidate) {
    RegisterOp op = ops.get(candidate);
    if (!op.writes()) {
      return true;
    }
    for (int i = 0; i < ops.size(); i++) {
      RegisterOp other = ops.get(i);
      if (i != candidate && !removed[i] && other.returnNanos() >= op.callNanos()
          && other.couldDependOn(op.value())) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code ops} without as many of those marked in {@code wanted} as can soundly go, removed one at a
   * time so that each removal is judged against what remains.
   */
  static List<RegisterOp> removeAsManyAsSound(List<RegisterOp> ops, boolean[] wanted) {
    boolean[] removed = new boolean[ops.size()];
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = 0; i < ops.size(); i++) {
        if (wanted[i] && !removed[i] && canRemove(ops, removed, i)) {
          removed[i] = true;
          progress = true;
        }
      }
    }
    List<RegisterOp> rest = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      if (!removed[i]) {
        rest.add(ops.get(i));
      }
    }
    return rest;
  }

  /**
   * {@code ops} without the optional writes that no one could observe. Since an optional operation may
   * also never happen, the result is linearizable exactly when {@code ops} is, and it spares the search
   * from trying every subset of unobserved timed-out writes.
   */
  static List<RegisterOp> withoutUnobservedOptionalWrites(List<RegisterOp> ops) {
    boolean[] optional = new boolean[ops.size()];
    for (int i = 0; i < ops.size(); i++) {
      optional[i] = !ops.get(i).required();
    }
    return removeAsManyAsSound(ops, optional);
  }
}
