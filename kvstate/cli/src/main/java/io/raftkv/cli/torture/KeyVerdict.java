package io.raftkv.cli.torture;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The checker's conclusion about one key.
 *
 * @param operations how many operations the history has on the key
 * @param steps the search steps it took to decide (or to give up)
 * @param searchTime how long the search took (not counting shrinking)
 * @param witness when not linearizable: a small sub-history of the key that is not linearizable either,
 *     in invocation order; else empty
 */
public record KeyVerdict(
    ByteString key, Verdict verdict, int operations, long steps, Duration searchTime, List<Operation> witness) {

  public KeyVerdict {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(verdict, "verdict");
    witness = List.copyOf(witness);
    if (witness.isEmpty() != (verdict != Verdict.NOT_LINEARIZABLE)) {
      throw new IllegalArgumentException("a witness comes with, and only with, a NOT_LINEARIZABLE verdict");
    }
  }
}
