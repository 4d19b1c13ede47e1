package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A slow, obviously correct oracle for small histories of one key (up to 20 operations): tries every
 * order of every subset of the operations that keeps all those with a known outcome, reading the
 * semantics straight off the commands, remembering only which (placed set, value) pairs led nowhere.
 * Written independently of the checker's register encoding and search, to test them.
 */
final class BruteForceLinearizability {
  private final List<Operation> ops = new ArrayList<>();
  private final boolean[] placed;
  private final Set<String> deadEnds = new HashSet<>();

  private BruteForceLinearizability(List<Operation> history) {
    for (Operation op : history) {
      boolean failed = op.outcome() instanceof Outcome.Failed;
      boolean blindRead = op.command() instanceof Command.Get && op.isUnknown();
      if (!failed && !blindRead) {
        ops.add(op);
      }
    }
    if (ops.size() > 20) {
      throw new IllegalArgumentException("too many operations for brute force: " + ops.size());
    }
    placed = new boolean[ops.size()];
  }

  static boolean isLinearizable(List<Operation> history) {
    return new BruteForceLinearizability(history).extend(Optional.empty());
  }

  private boolean extend(Optional<ByteString> state) {
    String configuration = Arrays.toString(placed) + state;
    if (deadEnds.contains(configuration)) {
      return false;
    }
    boolean allRequiredPlaced = true;
    for (int i = 0; i < ops.size(); i++) {
      allRequiredPlaced &= placed[i] || ops.get(i).isUnknown();
    }
    if (allRequiredPlaced) {
      return true;
    }
    for (int i = 0; i < ops.size(); i++) {
      if (placed[i] || !mayGoNext(i)) {
        continue;
      }
      for (Optional<ByteString> after : successors(ops.get(i), state)) {
        placed[i] = true;
        boolean done = extend(after);
        placed[i] = false;
        if (done) {
          return true;
        }
      }
    }
    deadEnds.add(configuration);
    return false;
  }

  /** No unplaced operation with a known outcome completed before this one was invoked. */
  private boolean mayGoNext(int candidate) {
    for (int j = 0; j < ops.size(); j++) {
      Operation other = ops.get(j);
      if (!placed[j] && j != candidate && !other.isUnknown()
          && other.completedNanos() < ops.get(candidate).invokedNanos()) {
        return false;
      }
    }
    return true;
  }

  /** The states the operation can leave the key in when it runs at {@code state} (none: it cannot run). */
  private static List<Optional<ByteString>> successors(Operation op, Optional<ByteString> state) {
    Command command = op.command();
    Outcome outcome = op.outcome();
    if (command instanceof Command.Put put) {
      return List.of(Optional.of(put.value()));
    }
    if (command instanceof Command.Delete) {
      return List.of(Optional.empty());
    }
    if (command instanceof Command.Get) {
      return ((Outcome.Read) outcome).value().equals(state) ? List.of(state) : List.of();
    }
    Optional<ByteString> newValue;
    boolean matches;
    if (command instanceof Command.CompareAndSet cas) {
      newValue = cas.newValue();
      matches = cas.expected().equals(state);
    } else {
      Command.CompareVersionAndSet cas = (Command.CompareVersionAndSet) command;
      newValue = cas.newValue();
      if (cas.expectedVersion() == 0) {
        matches = state.isEmpty();
      } else {
        // Any existing key might be at the expected version; an absent one never is.
        if (state.isEmpty()) {
          return outcome instanceof Outcome.Compared c && c.matched() ? List.of() : List.of(state);
        }
        if (outcome instanceof Outcome.Compared c) {
          return c.matched() ? List.of(newValue) : List.of(state);
        }
        return List.of(newValue, state);
      }
    }
    if (outcome instanceof Outcome.Compared c) {
      if (c.matched() != matches) {
        return List.of();
      }
    }
    return List.of(matches ? newValue : state);
  }
}
