package io.raftkv.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one closed-loop run measured: answered requests, failed ones (by kind), how long it ran and the
 * latency of each answered request (nanoseconds).
 */
public record LevelResult(long ops, long errors, long elapsedNanos, Histogram latencies, Map<String, Long> errorKinds) {
  /** Latencies up to this are recorded exactly to 3 significant digits; a longer one counts as this long. */
  public static final long MAX_TRACKED_NANOS = 120_000_000_000L;

  public LevelResult {
    errorKinds = Map.copyOf(errorKinds);
  }

  /** An empty histogram of the precision every run uses. */
  public static Histogram newHistogram() {
    return new Histogram(MAX_TRACKED_NANOS, 3);
  }

  public double opsPerSecond() {
    return elapsedNanos <= 0 ? 0 : ops / (elapsedNanos / 1e9);
  }

  /** The latency at {@code percentile} (0-100) in milliseconds; NaN if nothing was answered. */
  public double percentileMillis(double percentile) {
    return ops == 0 || latencies.getTotalCount() == 0 ? Double.NaN
        : latencies.getValueAtPercentile(percentile) / 1e6;
  }

  public double p50Millis() {
    return percentileMillis(50);
  }

  public double p99Millis() {
    return percentileMillis(99);
  }

  /** This run and {@code other} as one: counts and times add up, latencies pool. */
  public LevelResult plus(LevelResult other) {
    Histogram pooled = latencies.copy();
    pooled.add(other.latencies);
    Map<String, Long> kinds = new TreeMap<>(errorKinds);
    other.errorKinds.forEach((kind, n) -> kinds.merge(kind, n, Long::sum));
    return new LevelResult(ops + other.ops, errors + other.errors, elapsedNanos + other.elapsedNanos, pooled, kinds);
  }
}
