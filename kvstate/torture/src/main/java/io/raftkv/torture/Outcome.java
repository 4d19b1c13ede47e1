package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.Objects;
import java.util.Optional;

/** How an operation of a history ended, as far as its client could tell. */
public sealed interface Outcome {

  /** A put or delete was acknowledged: it took effect exactly once. */
  record Written() implements Outcome {}

  /** A get answered: the key's value, or empty if it was absent. */
  record Read(Optional<ByteString> value) implements Outcome {
    public Read {
      Objects.requireNonNull(value, "value");
    }
  }

  /** A compare-and-set answered: it took effect if and only if it matched. */
  record Compared(boolean matched) implements Outcome {}

  /** The operation definitely did not take effect (refused before or by the leader, invalid, ...). */
  record Failed(String reason) implements Outcome {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The client cannot tell (a timeout, a broken connection): the operation may take effect at any time
   * after its invocation, or never.
   */
  record Unknown(String reason) implements Outcome {
    public Unknown {
      Objects.requireNonNull(reason, "reason");
    }
  }

  static Outcome written() {
    return new Written();
  }

  static Outcome read(Optional<ByteString> value) {
    return new Read(value);
  }

  static Outcome compared(boolean matched) {
    return new Compared(matched);
  }

  static Outcome failed(String reason) {
    return new Failed(reason);
  }

  static Outcome unknown(String reason) {
    return new Unknown(reason);
  }
}
