package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the operations a person needs next to a witness to see why it fails: those outside it that write
 * a value it observes. A witness is as small as can be, so a read of a value whose only write failed, or
 * came too late, shows up as that read alone; this brings the write back into view.
 */
final class WitnessContext {
  /** Most related operations reported. */
  static final int LIMIT = 10;

  private WitnessContext() {}

  static List<Operation> related(List<Operation> witness, List<Operation> operationsOfKey) {
    Set<ByteString> observed = new HashSet<>();
    Set<Long> inWitness = new HashSet<>();
    for (Operation op : witness) {
      inWitness.add(op.id());
      observed(op).ifPresent(observed::add);
    }
    List<Operation> related = new ArrayList<>();
    for (Operation op : operationsOfKey) {
      if (related.size() < LIMIT && !inWitness.contains(op.id())
          && written(op.command()).filter(observed::contains).isPresent()) {
        related.add(op);
      }
    }
    return related;
  }

  /** The value an operation saw or expected to see, if it is one (not absent). */
  private static Optional<ByteString> observed(Operation op) {
    if (op.outcome() instanceof Outcome.Read read) {
      return read.value();
    }
    if (op.command() instanceof Command.CompareAndSet cas) {
      return cas.expected();
    }
    return Optional.empty();
  }

  /** The value a command writes, if it writes one (not a delete). */
  private static Optional<ByteString> written(Command command) {
    if (command instanceof Command.Put put) {
      return Optional.of(put.value());
    }
    if (command instanceof Command.CompareAndSet cas) {
      return cas.newValue();
    }
    if (command instanceof Command.CompareVersionAndSet cas) {
      return cas.newValue();
    }
    return Optional.empty();
  }
}
