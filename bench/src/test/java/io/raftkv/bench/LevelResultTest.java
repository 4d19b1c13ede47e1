package io.raftkv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LevelResultTest {
  @Test
  void percentilesComeFromTheRecordedLatencies() {
    Histogram h = LevelResult.newHistogram();
    for (int ms = 1; ms <= 100; ms++) {
      h.recordValue(TimeUnit.MILLISECONDS.toNanos(ms));
    }
    LevelResult r = new LevelResult(100, 0, TimeUnit.SECONDS.toNanos(2), h, Map.of());

    // 3 significant digits: within 0.1% of the recorded value.
    assertThat(r.p50Millis()).isCloseTo(50, offset(0.05));
    assertThat(r.p99Millis()).isCloseTo(99, offset(0.1));
    assertThat(r.opsPerSecond()).isCloseTo(50, offset(1e-9));
  }

  @Test
  void aRunThatAnsweredNothingHasNoPercentiles() {
    LevelResult r = new LevelResult(0, 3, TimeUnit.SECONDS.toNanos(1), LevelResult.newHistogram(), Map.of("boom", 3L));

    assertThat(r.p50Millis()).isNaN();
    assertThat(r.opsPerSecond()).isZero();
  }

  @Test
  void poolingAddsCountsTimesAndErrorKinds() {
    Histogram a = LevelResult.newHistogram();
    a.recordValue(1_000_000);
    Histogram b = LevelResult.newHistogram();
    b.recordValue(3_000_000);
    LevelResult pooled = new LevelResult(1, 1, 10, a, Map.of("x", 1L))
        .plus(new LevelResult(1, 2, 30, b, Map.of("x", 1L, "y", 1L)));

    assertThat(pooled.ops()).isEqualTo(2);
    assertThat(pooled.errors()).isEqualTo(3);
    assertThat(pooled.elapsedNanos()).isEqualTo(40);
    assertThat(pooled.latencies().getTotalCount()).isEqualTo(2);
    assertThat(pooled.errorKinds()).containsEntry("x", 2L).containsEntry("y", 1L);
    assertThat(a.getTotalCount()).as("the pooled inputs are left as they were").isEqualTo(1);
  }

  @Test
  void cpuPerRequestIsTheCpuTimeOverTheAnsweredRequestsAndPoolsBySumming() {
    LevelResult a = new LevelResult(1000, 0, 1, LevelResult.newHistogram(), Map.of()).withCpu(50_000_000, 20_000_000);
    LevelResult b = new LevelResult(3000, 0, 1, LevelResult.newHistogram(), Map.of()).withCpu(150_000_000, 20_000_000);

    assertThat(a.membersCpuMicrosPerOp()).isCloseTo(50, offset(1e-9));
    assertThat(a.driverCpuMicrosPerOp()).isCloseTo(20, offset(1e-9));
    assertThat(a.plus(b).membersCpuMicrosPerOp()).isCloseTo(50, offset(1e-9));
    assertThat(a.plus(b).driverCpuMicrosPerOp()).isCloseTo(10, offset(1e-9));
  }

  @Test
  void cpuNotMeasuredOnEitherSideIsNotApplicable() {
    LevelResult measured = new LevelResult(10, 0, 1, LevelResult.newHistogram(), Map.of()).withCpu(10_000, 10_000);
    LevelResult unmeasured = new LevelResult(10, 0, 1, LevelResult.newHistogram(), Map.of());

    assertThat(unmeasured.membersCpuMicrosPerOp()).isNaN();
    assertThat(measured.plus(unmeasured).membersCpuMicrosPerOp()).isNaN();
  }
}
