package io.raftkv.torture;

import java.util.List;

/** The set of operations linearized so far, as a bitset over operation indexes. */
final class LinearizedSet {
  private final long[] words;
  private final long[] optional;
  private final long[] scratch;

  LinearizedSet(List<RegisterOp> ops) {
    words = new long[(ops.size() + 63) / 64];
    optional = new long[words.length];
    scratch = new long[words.length];
    for (int i = 0; i < ops.size(); i++) {
      if (!ops.get(i).required()) {
        optional[i >>> 6] |= 1L << i;
      }
    }
  }

  void add(int op) {
    words[op >>> 6] |= 1L << op;
  }

  void remove(int op) {
    words[op >>> 6] &= ~(1L << op);
  }

  /** The live bits; callers must not keep or change them. */
  long[] words() {
    return words;
  }

  /** The set without its optional operations, or null if it has none (a scratch array, overwritten next call). */
  long[] withoutOptional() {
    boolean anyOptional = false;
    for (int w = 0; w < words.length; w++) {
      scratch[w] = words[w] & ~optional[w];
      anyOptional |= scratch[w] != words[w];
    }
    return anyOptional ? scratch : null;
  }
}
