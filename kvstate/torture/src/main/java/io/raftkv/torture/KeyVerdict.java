package io.raftkv.torture;

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
 * @param related operations of the key outside the witness that write a value the witness observes (a
 *     failed write whose value was read, a write invoked too late, ...), in invocation order, at most
 *     {@link WitnessContext#LIMIT}
 */
public record KeyVerdict(
    ByteString key, Verdict verdict, int operations, long steps, Duration searchTime, List<Operation> witness,
    List<Operation> related) {

  public KeyVerdict {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(verdict, "verdict");
    witness = List.copyOf(witness);
    related = List.copyOf(related);
    if (witness.isEmpty() != (verdict != Verdict.NOT_LINEARIZABLE)) {
      throw new IllegalArgumentException("a witness comes with, and only with, a NOT_LINEARIZABLE verdict");
    }
  }
}
