package io.raftkv.torture;

import java.time.Duration;
import java.util.List;

/**
 * Shrinks a non-linearizable history of one key to a small non-linearizable sub-history, delta-debugging
 * style: it tries to drop chunks of operations, keeping a smaller history whenever it is still
 * non-linearizable, with ever finer chunks down to single operations. Only {@link SoundRemoval sound}
 * removals are tried, so the result fails for a reason the original has too. Bounded in time: when the
 * time is up it returns the smallest failing history found so far.
 */
final class Shrinker {
  private final SearchBudget budgetPerAttempt;
  private final Duration timeLimit;

  Shrinker(SearchBudget budgetPerAttempt, Duration timeLimit) {
    this.budgetPerAttempt = budgetPerAttempt;
    this.timeLimit = timeLimit;
  }

  /**
   * A sub-history of {@code failing} that is also not linearizable.
   *
   * @param failing operations of one key, in invocation order, known to be non-linearizable
   * @param cutNanos operations invoked after this are the first to try without: the search that found
   *     {@code failing} non-linearizable never got past it
   */
  List<RegisterOp> shrink(List<RegisterOp> failing, long cutNanos) {
    long deadline = System.nanoTime() + timeLimit.toNanos();
    List<RegisterOp> current = failing;

    boolean[] afterCut = new boolean[current.size()];
    for (int i = 0; i < current.size(); i++) {
      afterCut[i] = current.get(i).callNanos() > cutNanos;
    }
    current = tryRemoving(current, afterCut, deadline);

    int chunks = 2;
    while (current.size() > 1 && System.nanoTime() - deadline < 0) {
      boolean reduced = false;
      for (int c = 0; c < chunks && !reduced; c++) {
        boolean[] chunk = chunk(current.size(), chunks, c);
        List<RegisterOp> smaller = tryRemoving(current, chunk, deadline);
        if (smaller.size() < current.size()) {
          current = smaller;
          chunks = Math.max(chunks - 1, 2);
          reduced = true;
        }
      }
      if (!reduced) {
        if (chunks >= current.size()) {
          break;
        }
        chunks = Math.min(current.size(), chunks * 2);
      }
    }
    return current;
  }

  /** {@code ops} without (soundly removable) marked ones if that is still non-linearizable, else {@code ops}. */
  private List<RegisterOp> tryRemoving(List<RegisterOp> ops, boolean[] marked, long deadline) {
    List<RegisterOp> candidate = SoundRemoval.removeAsManyAsSound(ops, marked);
    if (candidate.size() == ops.size()) {
      return ops;
    }
    long now = System.nanoTime();
    if (now - deadline >= 0) {
      return ops;
    }
    boolean failing = UnexplainedObservations.find(candidate).isPresent()
        || WglSearch.run(candidate, budgetPerAttempt.until(deadline, now)).verdict() == Verdict.NOT_LINEARIZABLE;
    return failing ? candidate : ops;
  }

  /** Marks the {@code index}-th of {@code count} nearly equal consecutive parts of {@code size} items. */
  private static boolean[] chunk(int size, int count, int index) {
    boolean[] marked = new boolean[size];
    int from = (int) ((long) size * index / count);
    int to = (int) ((long) size * (index + 1) / count);
    for (int i = from; i < to; i++) {
      marked[i] = true;
    }
    return marked;
  }
}
