package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Breaks a linearizable history (with unique written values) by changing what one get returned, in ways
 * that are wrong whatever the order of concurrent operations.
 */
final class ReadMutations {
  /** How the read is made wrong. */
  enum Kind {
    /** Returns a value nobody ever wrote. */
    NEVER_WRITTEN,
    /** Returns the value of a put invoked only after the get completed. */
    FROM_THE_FUTURE,
    /**
     * Returns the value of a put P although another acknowledged put or delete Q ran entirely after P
     * and entirely before the get.
     */
    STALE
  }

  /** A mutated history and the operation that was changed. */
  record Mutated(List<Operation> operations, Operation changed) {}

  private ReadMutations() {}

  /** The history with one read changed, or empty if it has no read that can be changed this way. */
  static Optional<Mutated> mutate(List<Operation> history, Kind kind, Random random) {
    List<Integer> reads = new ArrayList<>();
    for (int i = 0; i < history.size(); i++) {
      Operation op = history.get(i);
      if (op.command() instanceof Command.Get && op.outcome() instanceof Outcome.Read) {
        reads.add(i);
      }
    }
    java.util.Collections.shuffle(reads, random);
    for (int index : reads) {
      Operation read = history.get(index);
      Optional<ByteString> wrong = wrongValue(history, read, kind);
      if (wrong.isPresent()) {
        Operation changed = new Operation(read.id(), read.process(), read.key(), read.command(),
            read.invokedNanos(), read.completedNanos(), Outcome.read(wrong));
        List<Operation> mutated = new ArrayList<>(history);
        mutated.set(index, changed);
        return Optional.of(new Mutated(mutated, changed));
      }
    }
    return Optional.empty();
  }

  private static Optional<ByteString> wrongValue(List<Operation> history, Operation read, Kind kind) {
    switch (kind) {
      case NEVER_WRITTEN:
        return Optional.of(ByteString.copyFromUtf8("never-written"));
      case FROM_THE_FUTURE:
        for (Operation op : history) {
          if (op.key().equals(read.key()) && op.command() instanceof Command.Put put
              && !(op.outcome() instanceof Outcome.Failed) && op.invokedNanos() > read.completedNanos()) {
            return Optional.of(put.value());
          }
        }
        return Optional.empty();
      case STALE:
        for (Operation overwrite : history) {
          if (!acknowledgedBlindWrite(overwrite, read) || overwrite.completedNanos() >= read.invokedNanos()) {
            continue;
          }
          for (Operation earlier : history) {
            if (acknowledgedBlindWrite(earlier, read) && earlier.command() instanceof Command.Put put
                && earlier.completedNanos() < overwrite.invokedNanos()) {
              return Optional.of(put.value());
            }
          }
        }
        return Optional.empty();
      default:
        throw new AssertionError(kind);
    }
  }

  private static boolean acknowledgedBlindWrite(Operation op, Operation read) {
    return op.key().equals(read.key()) && op.outcome() instanceof Outcome.Written;
  }
}
