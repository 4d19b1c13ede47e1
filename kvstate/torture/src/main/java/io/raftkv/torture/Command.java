package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.Objects;
import java.util.Optional;

/**
 * What one operation of a history asked the store to do to its key. An empty {@code Optional} value
 * stands for "absent": an expectation that the key does not exist, or a compare-and-set that deletes.
 */
public sealed interface Command {

  /** Sets the key to a value. */
  record Put(ByteString value) implements Command {
    public Put {
      Objects.requireNonNull(value, "value");
    }
  }

  /** Reads the key (linearizably). */
  record Get() implements Command {}

  /** Removes the key. */
  record Delete() implements Command {}

  /**
   * Sets the key to {@code newValue} (empty: deletes it) only if its current value equals {@code expected}
   * (empty: only if it is absent, which is what {@code expected_version = 0} asks on the wire).
   */
  record CompareAndSet(Optional<ByteString> expected, Optional<ByteString> newValue) implements Command {
    public CompareAndSet {
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(newValue, "newValue");
    }
  }

  /**
   * Sets the key to {@code newValue} (empty: deletes it) only if its current version equals
   * {@code expectedVersion}. Versions are log indexes the checker cannot know, so it takes the match
   * from the recorded outcome; version 0 means "absent" and is checked exactly like a value comparison.
   */
  record CompareVersionAndSet(long expectedVersion, Optional<ByteString> newValue) implements Command {
    public CompareVersionAndSet {
      if (expectedVersion < 0) {
        throw new IllegalArgumentException("expectedVersion is " + expectedVersion + ": versions are 0 or more");
      }
      Objects.requireNonNull(newValue, "newValue");
    }
  }

  static Command put(ByteString value) {
    return new Put(value);
  }

  static Command get() {
    return new Get();
  }

  static Command delete() {
    return new Delete();
  }

  static Command compareAndSet(Optional<ByteString> expected, Optional<ByteString> newValue) {
    return new CompareAndSet(expected, newValue);
  }

  static Command compareVersionAndSet(long expectedVersion, Optional<ByteString> newValue) {
    return new CompareVersionAndSet(expectedVersion, newValue);
  }

  /** Whether {@code outcome} is an answer this command can get (a read for a get, a match for a compare). */
  default boolean accepts(Outcome outcome) {
    if (outcome instanceof Outcome.Failed || outcome instanceof Outcome.Unknown) {
      return true;
    }
    if (this instanceof Get) {
      return outcome instanceof Outcome.Read;
    }
    if (this instanceof CompareAndSet || this instanceof CompareVersionAndSet) {
      return outcome instanceof Outcome.Compared;
    }
    return outcome instanceof Outcome.Written;
  }
}
