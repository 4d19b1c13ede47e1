package io.raftkv.cli.torture;

import java.util.Arrays;
import java.util.List;

/**
 * The Wing-Gong linearizability search with Lowe's improvements (G. Lowe, "Testing for
 * linearizability", 2017), as Porcupine implements it: the history is a doubly linked list of call and
 * return entries in time order; the search walks the calls before the first return, linearizes one
 * whose step is possible (unlinking its call and return), and backtracks when it meets a return whose
 * operation it has not linearized. A cache of (linearized set, state) configurations keeps it from
 * exploring any configuration twice.
 *
 * <p>Optional operations (unknown outcome) return at +infinity, so they never block; the search
 * succeeds as soon as every required operation is linearized, which leaves the others out.
 */
final class WglSearch {
  private static final int CLOCK_CHECK_INTERVAL = 1024;

  private final List<RegisterOp> ops;
  private final int n;
  private final int head;
  private final int[] next;
  private final int[] prev;
  private final long[] entryTime;

  private WglSearch(List<RegisterOp> ops) {
    this.ops = ops;
    this.n = ops.size();
    // Entries 0..n-1 are calls of op i, n..2n-1 are returns of op i - n; 2n and 2n+1 are the sentinels.
    this.head = 2 * n;
    int tail = 2 * n + 1;
    this.next = new int[2 * n + 2];
    this.prev = new int[2 * n + 2];
    this.entryTime = new long[2 * n];
    for (int i = 0; i < n; i++) {
      entryTime[i] = ops.get(i).callNanos();
      entryTime[n + i] = ops.get(i).returnNanos();
    }
    int[] order = timeOrder();
    int last = head;
    for (int entry : order) {
      next[last] = entry;
      prev[entry] = last;
      last = entry;
    }
    next[last] = tail;
    prev[tail] = last;
  }

  /** Searches {@code ops} (of one key, in invocation order) for a linearization from the absent state. */
  static SearchResult run(List<RegisterOp> ops, SearchBudget budget) {
    return new WglSearch(ops).search(budget);
  }

  /**
   * Entries by time; at equal times calls come first, so that an operation completing at the instant
   * another is invoked counts as concurrent with it rather than before it.
   */
  private int[] timeOrder() {
    Integer[] order = new Integer[2 * n];
    for (int e = 0; e < 2 * n; e++) {
      order[e] = e;
    }
    Arrays.sort(order, (a, b) -> {
      int byTime = Long.compare(entryTime[a], entryTime[b]);
      if (byTime != 0) {
        return byTime;
      }
      int byKind = Boolean.compare(a >= n, b >= n);
      return byKind != 0 ? byKind : Integer.compare(a, b);
    });
    int[] result = new int[2 * n];
    for (int i = 0; i < 2 * n; i++) {
      result[i] = order[i];
    }
    return result;
  }

  private SearchResult search(SearchBudget budget) {
    long deadline = System.nanoTime() + budget.maxTime().toNanos();
    long[] linearized = new long[(n + 63) / 64];
    ConfigurationCache cache = new ConfigurationCache();
    int[] stackCall = new int[n];
    int[] stackState = new int[n];
    int depth = 0;
    int state = RegisterOp.ABSENT;
    int requiredLeft = (int) ops.stream().filter(RegisterOp::required).count();
    long furthestBlock = Long.MIN_VALUE;
    long steps = 0;

    int entry = next[head];
    while (requiredLeft > 0) {
      steps++;
      if (steps > budget.maxSteps()
          || (steps % CLOCK_CHECK_INTERVAL == 0 && System.nanoTime() - deadline > 0)) {
        return new SearchResult(Verdict.UNKNOWN, steps, furthestBlock);
      }
      if (entry < n) {
        RegisterOp op = ops.get(entry);
        int after = op.step(state);
        if (after != RegisterOp.IMPOSSIBLE) {
          linearized[entry >>> 6] |= 1L << entry;
          if (cache.add(linearized, after)) {
            stackCall[depth] = entry;
            stackState[depth] = state;
            depth++;
            state = after;
            if (op.required()) {
              requiredLeft--;
            }
            lift(entry);
            entry = next[head];
            continue;
          }
          linearized[entry >>> 6] &= ~(1L << entry);
        }
        entry = next[entry];
      } else {
        // A return (or the tail) before any possible call: this branch is dead.
        if (entry < 2 * n) {
          furthestBlock = Math.max(furthestBlock, entryTime[entry]);
        }
        if (depth == 0) {
          return new SearchResult(Verdict.NOT_LINEARIZABLE, steps, furthestBlock);
        }
        depth--;
        int call = stackCall[depth];
        state = stackState[depth];
        linearized[call >>> 6] &= ~(1L << call);
        if (ops.get(call).required()) {
          requiredLeft++;
        }
        unlift(call);
        entry = next[call];
      }
    }
    return new SearchResult(Verdict.LINEARIZABLE, steps, furthestBlock);
  }

  private void lift(int call) {
    unlink(call);
    unlink(call + n);
  }

  /** Undoes {@link #lift}; dancing links: relink in the reverse order of unlinking. */
  private void unlift(int call) {
    relink(call + n);
    relink(call);
  }

  private void unlink(int entry) {
    next[prev[entry]] = next[entry];
    prev[next[entry]] = prev[entry];
  }

  private void relink(int entry) {
    next[prev[entry]] = entry;
    prev[next[entry]] = entry;
  }
}
