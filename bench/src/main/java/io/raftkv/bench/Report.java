package io.raftkv.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns measurements into text: one line per system, round and level as it is measured, a Markdown table
 * per round with the ratios, and a summary table over all rounds.
 */
public final class Report {
  private Report() {
  }

  /** One system's figures at one level of one round. */
  public static String levelLine(String system, int round, Operation op, int inFlight, LevelResult r) {
    return String.format(Locale.ROOT,
        "  %-6s round %d  %s  %3d in flight: %s ops/s  p50 %s ms  p99 %s ms  cpu/op: members %s us, driver %s us%s",
        system, round, op.label(), inFlight, opsPerSecond(r.opsPerSecond()), millis(r.p50Millis()),
        millis(r.p99Millis()), micros(r.membersCpuMicrosPerOp()), micros(r.driverCpuMicrosPerOp()),
        r.errors() == 0 ? "" : "  (" + r.errors() + " errors)");
  }

  /** The failures of a run, most frequent first, one line each. */
  public static String errorLines(LevelResult r) {
    return r.errorKinds().entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> "      " + e.getValue() + " x " + e.getKey())
        .collect(Collectors.joining("\n"));
  }

  private static final String COLUMNS =
      "| op | in flight | etcd ops/s | etcd p50 ms | etcd p99 ms | RaftKV ops/s | RaftKV p50 ms | RaftKV p99 ms "
          + "| ops/s RaftKV/etcd | p50 etcd/RaftKV | p99 etcd/RaftKV |";
  private static final String ALIGNMENT = "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

  /** A Markdown table: each point's figures for both systems and the ratios. */
  public static String table(List<Comparison> points) {
    StringBuilder out = new StringBuilder(COLUMNS + "\n" + ALIGNMENT + "\n");
    for (Comparison c : points) {
      out.append(row(c)).append('\n');
    }
    return out.toString();
  }

  static String row(Comparison c) {
    return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
        c.op().label(), c.inFlight(),
        opsPerSecond(c.etcd().opsPerSecond()), millis(c.etcd().p50Millis()), millis(c.etcd().p99Millis()),
        opsPerSecond(c.raftkv().opsPerSecond()), millis(c.raftkv().p50Millis()), millis(c.raftkv().p99Millis()),
        ratio(c.throughputRatio()), ratio(c.p50Ratio()), ratio(c.p99Ratio()));
  }

  /**
   * The summary: each point pooled over the rounds (ops over total time, percentiles of all latencies),
   * with the throughput ratio of each round beside it to show how much the rounds differ.
   */
  public static String summary(List<List<Comparison>> rounds) {
    StringBuilder out = new StringBuilder(COLUMNS + " ops/s ratio by round |\n" + ALIGNMENT + " --- |\n");
    int points = rounds.get(0).size();
    for (int i = 0; i < points; i++) {
      Comparison pooled = rounds.get(0).get(i);
      StringBuilder byRound = new StringBuilder(ratio(pooled.throughputRatio()));
      for (int r = 1; r < rounds.size(); r++) {
        Comparison next = rounds.get(r).get(i);
        pooled = pooled.plus(next);
        byRound.append(" / ").append(ratio(next.throughputRatio()));
      }
      out.append(row(pooled)).append(' ').append(byRound).append(" |\n");
    }
    return out.toString();
  }

  /** A Markdown table of CPU microseconds per answered request, each point pooled over the rounds. */
  public static String cpuSummary(List<List<Comparison>> rounds) {
    StringBuilder out = new StringBuilder("| op | in flight | etcd members | etcd driver | RaftKV members | RaftKV driver |\n"
        + "| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < rounds.get(0).size(); i++) {
      Comparison pooled = rounds.get(0).get(i);
      for (int r = 1; r < rounds.size(); r++) {
        pooled = pooled.plus(rounds.get(r).get(i));
      }
      out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", pooled.op().label(), pooled.inFlight(),
          micros(pooled.etcd().membersCpuMicrosPerOp()), micros(pooled.etcd().driverCpuMicrosPerOp()),
          micros(pooled.raftkv().membersCpuMicrosPerOp()), micros(pooled.raftkv().driverCpuMicrosPerOp())));
    }
    return out.toString();
  }

  /** A duration as seconds, e.g. "20 s" or "0.5 s". */
  public static String seconds(java.time.Duration d) {
    double s = d.toMillis() / 1000.0;
    return (s == Math.rint(s) ? String.format(Locale.ROOT, "%.0f", s) : String.format(Locale.ROOT, "%s", s)) + " s";
  }

  static String opsPerSecond(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
  }

  static String millis(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }

  static String micros(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
  }

  static String ratio(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2fx", v);
  }
}
