package io.raftkv.torture;

import java.util.Arrays;
import java.util.List;

/**
 * The call and return entries of a history as a doubly linked list in time order, from which the
 * search unlinks an operation's two entries when it linearizes it and relinks them when it backtracks
 * (Knuth's dancing links: relinking in the reverse order of unlinking restores the list exactly).
 *
 * <p>Entries 0..n-1 are the calls of operations 0..n-1, entries n..2n-1 their returns. At equal times
 * calls come first, so that an operation completing at the instant another is invoked counts as
 * concurrent with it rather than before it.
 */
final class EntryList {
  private final int n;
  private final int head;
  private final int[] next;
  private final int[] prev;
  private final long[] time;

  EntryList(List<RegisterOp> ops) {
    n = ops.size();
    head = 2 * n;
    int tail = 2 * n + 1;
    next = new int[2 * n + 2];
    prev = new int[2 * n + 2];
    time = new long[2 * n];
    for (int i = 0; i < n; i++) {
      time[i] = ops.get(i).callNanos();
      time[n + i] = ops.get(i).returnNanos();
    }
    int last = head;
    for (int entry : timeOrder()) {
      next[last] = entry;
      prev[entry] = last;
      last = entry;
    }
    next[last] = tail;
    prev[tail] = last;
  }

  private int[] timeOrder() {
    Integer[] order = new Integer[2 * n];
    for (int e = 0; e < 2 * n; e++) {
      order[e] = e;
    }
    Arrays.sort(order, (a, b) -> {
      int byTime = Long.compare(time[a], time[b]);
      if (byTime != 0) {
        return byTime;
      }
      int byKind = Boolean.compare(a >= n, b >= n);
      return byKind != 0 ? byKind : Integer.compare(a, b);
    });
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  /** The first entry still in the list (the tail sentinel, 2n + 1, if none). */
  int first() {
    return next[head];
  }

  int after(int entry) {
    return next[entry];
  }

  boolean isCall(int entry) {
    return entry < n;
  }

  /** The operation of a return entry. */
  int operationOfReturn(int entry) {
    return entry - n;
  }

  long time(int entry) {
    return time[entry];
  }

  /** Unlinks operation {@code op}'s call and return. */
  void lift(int op) {
    unlink(op);
    unlink(op + n);
  }

  /** Undoes {@link #lift} of {@code op}; operations must be unlifted in the reverse order of lifting. */
  void unlift(int op) {
    relink(op + n);
    relink(op);
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
