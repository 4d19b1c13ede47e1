package io.raftkv.torture;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The search's memory of configurations it has entered: a set of linearized operations (a bitset over
 * operation indexes) together with the register state they lead to. Reaching the same configuration by
 * another order cannot end differently, so the search never enters one twice; and it remembers which
 * ones it has left having found nothing (all it ever left, since it stops at the first success).
 *
 * <p>Operations are numbered in invocation order and mostly linearized in about that order, so a
 * bitset is a run of full words, then a short ragged tail: only the count of full words and the tail
 * are stored.
 */
final class ConfigurationCache {
  private final Map<Configuration, Configuration> seen = new HashMap<>();

  /** Remembers the configuration as entered; null if it was already known. */
  Configuration enter(long[] linearized, int state) {
    Configuration configuration = Configuration.of(linearized, state);
    return seen.putIfAbsent(configuration, configuration) == null ? configuration : null;
  }

  /** Whether the configuration was entered and then left without finding a linearization. */
  boolean failed(long[] linearized, int state) {
    Configuration known = seen.get(Configuration.of(linearized, state));
    return known != null && known.left;
  }

  /** One remembered configuration; its identity is immutable, its {@code left} mark is set once. */
  static final class Configuration {
    private final int state;
    private final int fullWords;
    private final long[] tail;
    private final int hash;
    private boolean left;

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

    /** Marks that the search has left this configuration (so it leads nowhere). */
    void leave() {
      left = true;
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
