package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the operations of one key into {@link RegisterOp}s, in invocation order, leaving out those that
 * constrain nothing: failed operations (they did not happen), gets with an unknown result, version
 * compare-and-sets that did not match (the history cannot tell which version the key had), and
 * compare-and-sets of a value to itself with an unknown result.
 */
final class RegisterEncoding {
  private final Map<ByteString, Integer> valueNumbers = new HashMap<>();

  private RegisterEncoding() {}

  static List<RegisterOp> encode(List<Operation> operationsOfOneKey) {
    RegisterEncoding encoding = new RegisterEncoding();
    List<RegisterOp> ops = new ArrayList<>(operationsOfOneKey.size());
    for (Operation operation : operationsOfOneKey) {
      RegisterOp op = encoding.encode(operation);
      if (op != null) {
        ops.add(op);
      }
    }
    ops.sort(Comparator.comparingLong(RegisterOp::callNanos).thenComparingLong(op -> op.source().id()));
    return ops;
  }

  /** The operation as a register step, or null if it constrains nothing. */
  private RegisterOp encode(Operation operation) {
    Outcome outcome = operation.outcome();
    if (outcome instanceof Outcome.Failed) {
      return null;
    }
    boolean required = !(outcome instanceof Outcome.Unknown);
    long returnNanos = required ? operation.completedNanos() : Long.MAX_VALUE;
    Command command = operation.command();
    if (command instanceof Command.Put put) {
      return op(operation, RegisterOp.Kind.WRITE, 0, number(put.value()), returnNanos, required);
    }
    if (command instanceof Command.Delete) {
      return op(operation, RegisterOp.Kind.WRITE, 0, RegisterOp.ABSENT, returnNanos, required);
    }
    if (command instanceof Command.Get) {
      if (!required) {
        return null;
      }
      return op(operation, RegisterOp.Kind.READ, 0, number(((Outcome.Read) outcome).value()), returnNanos, true);
    }
    if (command instanceof Command.CompareAndSet cas) {
      return compareAndSet(operation, number(cas.expected()), cas.newValue(), returnNanos, required);
    }
    Command.CompareVersionAndSet cas = (Command.CompareVersionAndSet) command;
    if (cas.expectedVersion() == 0) {
      // Version 0 means "absent", which the register does know.
      return compareAndSet(operation, RegisterOp.ABSENT, cas.newValue(), returnNanos, required);
    }
    if (outcome instanceof Outcome.Compared compared && !compared.matched()) {
      return null;
    }
    return op(operation, RegisterOp.Kind.VERSION_CAS, 0, number(cas.newValue()), returnNanos, required);
  }

  private RegisterOp compareAndSet(
      Operation operation, int expected, Optional<ByteString> newValue, long returnNanos, boolean required) {
    if (operation.outcome() instanceof Outcome.Compared compared && !compared.matched()) {
      return op(operation, RegisterOp.Kind.CAS_UNMATCHED, expected, 0, returnNanos, true);
    }
    int value = number(newValue);
    if (!required && value == expected) {
      // Setting what is there changes nothing, and its outcome is unknown: it tells nothing.
      return null;
    }
    return op(operation, RegisterOp.Kind.CAS, expected, value, returnNanos, required);
  }

  private static RegisterOp op(
      Operation operation, RegisterOp.Kind kind, int expected, int value, long returnNanos, boolean required) {
    return new RegisterOp(operation, kind, expected, value, operation.invokedNanos(), returnNanos, required);
  }

  private int number(Optional<ByteString> value) {
    return value.map(this::number).orElse(RegisterOp.ABSENT);
  }

  private int number(ByteString value) {
    return valueNumbers.computeIfAbsent(value, v -> valueNumbers.size() + 1);
  }
}
