package io.raftkv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {
  private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

  /** {@code ops} requests answered in {@code elapsedNanos}, each taking {@code millis}. */
  static LevelResult result(long ops, long elapsedNanos, double millis) {
    Histogram h = LevelResult.newHistogram();
    if (ops > 0) {
      h.recordValueWithCount((long) (millis * 1_000_000), ops);
    }
    return new LevelResult(ops, 0, elapsedNanos, h, Map.of());
  }

  @Test
  void ratiosAreRaftKvOverEtcdForThroughputAndEtcdOverRaftKvForLatency() {
    Comparison c = new Comparison(Operation.PUT, 16, result(1000, ONE_SECOND, 4), result(2000, ONE_SECOND, 1));

    assertThat(c.throughputRatio()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(c.p50Ratio()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(c.p99Ratio()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(Report.row(c)).isEqualTo("| put | 16 | 1,000 | 4.00 | 4.00 | 2,000 | 1.00 | 1.00 | 2.00x | 4.00x | 4.00x |");
  }

  @Test
  void aSideThatAnsweredNothingGivesNotApplicableRatherThanZeroOrInfinity() {
    Comparison c = new Comparison(Operation.GET, 1, result(500, ONE_SECOND, 2), result(0, ONE_SECOND, 0));

    assertThat(Report.row(c)).isEqualTo("| get | 1 | 500 | 2.00 | 2.00 | 0 | n/a | n/a | n/a | n/a | n/a |");
  }

  @Test
  void summaryPoolsTheRoundsAndShowsEachRoundsThroughputRatio() {
    List<Comparison> round1 = List.of(new Comparison(Operation.PUT, 64, result(1000, ONE_SECOND, 2),
        result(2000, ONE_SECOND, 1)));
    List<Comparison> round2 = List.of(new Comparison(Operation.PUT, 64, result(1000, ONE_SECOND, 2),
        result(500, ONE_SECOND, 4)));

    String summary = Report.summary(List.of(round1, round2));

    // RaftKV: 2,500 answered in 2 s = 1,250/s against etcd's 1,000/s; its p50 is the 1 ms of 2,000 of 2,500.
    assertThat(summary.lines().toList()).hasSize(3);
    assertThat(summary.lines().toList().get(0)).endsWith("| ops/s ratio by round |");
    assertThat(summary.lines().toList().get(2))
        .isEqualTo("| put | 64 | 1,000 | 2.00 | 2.00 | 1,250 | 1.00 | 4.00 | 1.25x | 2.00x | 0.50x | 2.00x / 0.50x |");
  }

  @Test
  void aTableHasOneRowPerPointUnderItsHeader() {
    List<Comparison> points = List.of(
        new Comparison(Operation.PUT, 1, result(10, ONE_SECOND, 1), result(10, ONE_SECOND, 1)),
        new Comparison(Operation.GET, 1, result(10, ONE_SECOND, 1), result(10, ONE_SECOND, 1)));

    List<String> lines = Report.table(points).lines().toList();

    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("| op | in flight | etcd ops/s");
    assertThat(lines.get(2)).startsWith("| put | 1 |");
    assertThat(lines.get(3)).startsWith("| get | 1 |");
  }

  @Test
  void durationsPrintAsSeconds() {
    assertThat(Report.seconds(java.time.Duration.ofSeconds(20))).isEqualTo("20 s");
    assertThat(Report.seconds(java.time.Duration.ofMillis(1500))).isEqualTo("1.5 s");
  }

  @Test
  void theCpuSummaryGivesMicrosecondsPerRequestPooledOverRounds() {
    List<Comparison> round1 = List.of(new Comparison(Operation.PUT, 1,
        result(1000, ONE_SECOND, 1).withCpu(100_000_000, 30_000_000), result(500, ONE_SECOND, 1).withCpu(100_000_000, 10_000_000)));
    List<Comparison> round2 = List.of(new Comparison(Operation.PUT, 1,
        result(1000, ONE_SECOND, 1).withCpu(100_000_000, 10_000_000), result(1500, ONE_SECOND, 1).withCpu(100_000_000, 10_000_000)));

    List<String> lines = Report.cpuSummary(List.of(round1, round2)).lines().toList();

    assertThat(lines).hasSize(3);
    assertThat(lines.get(2)).isEqualTo("| put | 1 | 100 | 20 | 100 | 10 |");
  }

  @Test
  void aLevelLineGivesTheFiguresAndTheErrorCount() {
    LevelResult r = new LevelResult(2000, 3, ONE_SECOND, result(2000, ONE_SECOND, 1.5).latencies(), Map.of("x", 3L))
        .withCpu(200_000_000, 50_000_000);

    assertThat(Report.levelLine("raftkv", 2, Operation.GET, 64, r)).isEqualTo(
        "  raftkv round 2  get   64 in flight: 2,000 ops/s  p50 1.50 ms  p99 1.50 ms  cpu/op: members 100 us, driver 25 us"
            + "  (3 errors)");
  }
}
