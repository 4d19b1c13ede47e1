package io.raftkv.torture;

import java.util.ArrayList;
import java.util.List;

/**
 * Which operations can be taken out of a history together without making a linearizable history look
 * non-linearizable: if the history is linearizable, so is what remains. Taking some out must never
 * manufacture a violation; otherwise a shrunk witness could show a read of a value "never written" only
 * because the shrinker removed its write.
 *
 * <p>A set S can go when for each write W in S, no remaining operation that may be ordered after W (one
 * completing at or after W's invocation) {@link RegisterOp#couldDependOn could depend} on the register
 * holding W's value. Then, in a linearization of the whole, every remaining operation whose last
 * preceding write is in S is a plain write, possible in any state, so the linearization without S still
 * works. Read-only steps never block and can always go.
 */
final class SoundRemoval {
  private SoundRemoval() {}

  /**
   * {@code ops} without a large subset of those marked in {@code wanted} that can soundly go together.
   * An optional operation that depends on a write being removed is taken out with it (it may never have
   * happened); a marked write with a remaining dependent that cannot go is kept, for good.
   */
  static List<RegisterOp> removeAsManyAsSound(List<RegisterOp> ops, boolean[] wanted) {
    boolean[] removed = wanted.clone();
    boolean[] kept = new boolean[ops.size()];
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int i = 0; i < ops.size(); i++) {
        if (removed[i] && ops.get(i).writes()) {
          changed |= settle(ops, removed, kept, i);
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
   * Looks at the remaining dependents of removed write {@code write}: pulls optional ones into the
   * removal, or, if one must stay, keeps the write. Returns whether anything changed.
   */
  private static boolean settle(List<RegisterOp> ops, boolean[] removed, boolean[] kept, int write) {
    RegisterOp op = ops.get(write);
    boolean changed = false;
    for (int i = 0; i < ops.size(); i++) {
      RegisterOp other = ops.get(i);
      if (removed[i] || other.returnNanos() < op.callNanos() || !other.couldDependOn(op.value())) {
        continue;
      }
      if (!other.required() && !kept[i]) {
        removed[i] = true;
      } else {
        removed[write] = false;
        kept[write] = true;
        return true;
      }
      changed = true;
    }
    return changed;
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
