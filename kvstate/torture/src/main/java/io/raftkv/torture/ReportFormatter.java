package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Renders a {@link CheckReport} as text: verdicts per key, and each violation's witness as a table. */
final class ReportFormatter {
  private ReportFormatter() {}

  static String format(CheckReport report) {
    int operations = report.keys().stream().mapToInt(KeyVerdict::operations).sum();
    int bad = report.violations().size();
    int undecided = report.undecided().size();
    StringBuilder out = new StringBuilder();
    out.append(report.linearizable() ? "linearizable" : bad > 0 ? "NOT linearizable" : "UNDECIDED")
        .append(": ").append(report.keys().size()).append(" keys, ").append(operations).append(" operations; ")
        .append(report.keys().size() - bad - undecided).append(" linearizable, ")
        .append(bad).append(" not linearizable, ").append(undecided).append(" undecided\n");
    for (KeyVerdict key : report.keys()) {
      out.append(keyLine(key)).append('\n');
      if (key.verdict() == Verdict.NOT_LINEARIZABLE) {
        out.append(witness(key.witness()));
        if (!key.related().isEmpty()) {
          out.append("  outside them, these write values they observe (times from the same origin):\n");
          out.append(table(key.related(), origin(key.witness())));
        }
      }
    }
    return out.toString();
  }

  static String keyLine(KeyVerdict key) {
    String stats = key.operations() + " operations, " + key.steps() + " steps, "
        + seconds(key.searchTime().toNanos()) + " s";
    switch (key.verdict()) {
      case LINEARIZABLE:
        return "key " + PrintableBytes.of(key.key()) + ": linearizable (" + stats + ")";
      case NOT_LINEARIZABLE:
        String witness = key.witness().size() == 1
            ? "this one of its operations cannot be linearized:"
            : "these " + key.witness().size() + " of its operations cannot be linearized together:";
        return "key " + PrintableBytes.of(key.key()) + ": NOT linearizable (" + stats + "); " + witness;
      default:
        return "key " + PrintableBytes.of(key.key()) + ": UNKNOWN (search budget exceeded: " + stats + ")";
    }
  }

  /** The operations as a table, times in milliseconds from the first invocation among them. */
  static String witness(List<Operation> ops) {
    return table(ops, origin(ops));
  }

  private static long origin(List<Operation> ops) {
    return ops.stream().mapToLong(Operation::invokedNanos).min().orElse(0);
  }

  /** The operations as a table, times in milliseconds from {@code origin}. */
  private static String table(List<Operation> ops, long origin) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "  %8s %8s %12s %12s  %-40s %s%n",
        "op", "process", "invoked ms", "completed ms", "operation", "outcome"));
    for (Operation op : ops) {
      String completed = op.completedNanos() == Operation.NEVER ? "-" : millis(op.completedNanos() - origin);
      out.append(String.format(Locale.ROOT, "  %8s %8s %12s %12s  %-40s %s%n", "#" + op.id(), "p" + op.process(),
          millis(op.invokedNanos() - origin), completed, command(op.command()), outcome(op.outcome())));
    }
    return out.toString();
  }

  static String command(Command command) {
    if (command instanceof Command.Put put) {
      return "put " + PrintableBytes.of(put.value());
    }
    if (command instanceof Command.Get) {
      return "get";
    }
    if (command instanceof Command.Delete) {
      return "delete";
    }
    if (command instanceof Command.CompareAndSet cas) {
      return "cas " + PrintableBytes.of(cas.expected()) + " -> " + newValue(cas.newValue());
    }
    Command.CompareVersionAndSet cas = (Command.CompareVersionAndSet) command;
    return "cas version " + cas.expectedVersion() + " -> " + newValue(cas.newValue());
  }

  private static String newValue(Optional<ByteString> value) {
    return value.isPresent() ? PrintableBytes.of(value) : "delete";
  }

  static String outcome(Outcome outcome) {
    if (outcome instanceof Outcome.Written) {
      return "ok";
    }
    if (outcome instanceof Outcome.Read read) {
      return "read " + PrintableBytes.of(read.value());
    }
    if (outcome instanceof Outcome.Compared compared) {
      return compared.matched() ? "matched" : "not matched";
    }
    if (outcome instanceof Outcome.Failed failed) {
      return "failed (" + failed.reason() + ")";
    }
    return "unknown (" + ((Outcome.Unknown) outcome).reason() + ")";
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e9);
  }
}
