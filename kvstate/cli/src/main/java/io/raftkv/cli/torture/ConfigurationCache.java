package io.raftkv.cli.torture;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The search's memory of configurations it has already entered: a set of linearized operations (a
 * bitset over operation indexes) together with the register state they lead to. Reaching the same
 * configuration by another order cannot end differently, so the search never enters one twice.
 *
 * <p>Operations are numbered in invocation order and mostly linearized in about that order, so a
 * bitset is a run of full words, then a short ragged tail: only the count of full words and the tail
 * are stored.
 */
final class ConfigurationCache {
  private final Set<Configuration> seen = new HashSet<>();

  /** Remembers the configuration; false if it was already known. */
  boolean add(long[] linearized, int state) {
    return seen.add(Configuration.of(linearized, state));
  }

  int size() {
    return seen.size();
  }

  /** One remembered configuration; immutable once built. */
  private static final class Configuration {
    private final int state;
    private final int fullWords;
    private final long[] tail;
    private final int hash;

    private Configuration(int state, int fullWords, long[] tail) {
      this.state = state;
      this.fullWords = fullWords;
      this.tail = tail;
      this.hash = 31 * (31 * state + fullWords) + Arrays.hashCode(tail);
    }

    static Configuration of(long[] words, int state) {
      int full = 0;
      while (full < words.length && words[full] == -1L) {
        full++;
      }
      int end = words.length;
      while (end > full && words[end - 1] == 0L) {
        end--;
      }
      return new Configuration(state, full, Arrays.copyOfRange(words, full, end));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Configuration other && other.hash == hash && other.state == state
          && other.fullWords == fullWords && Arrays.equals(other.tail, tail);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
