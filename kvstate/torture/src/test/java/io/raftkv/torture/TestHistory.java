package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Hand-written histories for tests: each call adds one operation with its invocation and completion times. */
final class TestHistory {
  static final Optional<ByteString> ABSENT = Optional.empty();

  private final List<Operation> operations = new ArrayList<>();
  private ByteString key = bytes("x");
  private long nextId = 1;

  static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  static Optional<ByteString> value(String text) {
    return Optional.of(bytes(text));
  }

  /** The key of the operations added from now on ("x" until changed). */
  TestHistory onKey(String key) {
    this.key = bytes(key);
    return this;
  }

  TestHistory op(int process, long invoked, long completed, Command command, Outcome outcome) {
    operations.add(new Operation(nextId++, process, key, command, invoked, completed, outcome));
    return this;
  }

  TestHistory put(int process, long invoked, long completed, String value) {
    return op(process, invoked, completed, Command.put(bytes(value)), Outcome.written());
  }

  /** A put that timed out at {@code gaveUp}: it may take effect at any time after {@code invoked}. */
  TestHistory putUnknown(int process, long invoked, long gaveUp, String value) {
    return op(process, invoked, gaveUp, Command.put(bytes(value)), Outcome.unknown("timeout"));
  }

  TestHistory putFailed(int process, long invoked, long completed, String value) {
    return op(process, invoked, completed, Command.put(bytes(value)), Outcome.failed("NOT_LEADER"));
  }

  TestHistory get(int process, long invoked, long completed, String read) {
    return op(process, invoked, completed, Command.get(), Outcome.read(value(read)));
  }

  TestHistory getAbsent(int process, long invoked, long completed) {
    return op(process, invoked, completed, Command.get(), Outcome.read(ABSENT));
  }

  TestHistory delete(int process, long invoked, long completed) {
    return op(process, invoked, completed, Command.delete(), Outcome.written());
  }

  TestHistory cas(int process, long invoked, long completed, String expected, String newValue, boolean matched) {
    return op(process, invoked, completed, Command.compareAndSet(value(expected), value(newValue)),
        Outcome.compared(matched));
  }

  TestHistory casUnknown(int process, long invoked, long gaveUp, String expected, String newValue) {
    return op(process, invoked, gaveUp, Command.compareAndSet(value(expected), value(newValue)),
        Outcome.unknown("timeout"));
  }

  List<Operation> operations() {
    return List.copyOf(operations);
  }

  History history() {
    return History.of(operations);
  }

  /** The verdict of the (one) key the operations are on, with default budgets. */
  Verdict verdict() {
    return check().verdict();
  }

  KeyVerdict check() {
    CheckReport report = new LinearizabilityChecker().check(operations);
    if (report.keys().size() != 1) {
      throw new IllegalStateException("expected one key, got " + report.keys().size());
    }
    return report.keys().get(0);
  }
}
