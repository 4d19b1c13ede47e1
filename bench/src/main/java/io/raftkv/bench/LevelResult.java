package io.raftkv.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one closed-loop run measured: answered requests, failed ones (by kind), how long it ran, the
 * latency of each answered request (nanoseconds), and the CPU time the cluster's members and the load
 * driver's JVM spent meanwhile (-1: not measured).
 */
public record LevelResult(long ops, long errors, long elapsedNanos, Histogram latencies, Map<String, Long> errorKinds,
    long membersCpuNanos, long driverCpuNanos) {
  /** Latencies up to this are recorded exactly to 3 significant digits; a longer one counts as this long. */
  public static final long MAX_TRACKED_NANOS = 120_000_000_000L;

  public LevelResult {
    errorKinds = Map.copyOf(errorKinds);
  }

  /** A run whose CPU use was not measured. */
  public LevelResult(long ops, long errors, long elapsedNanos, Histogram latencies, Map<String, Long> errorKinds) {
    this(ops, errors, elapsedNanos, latencies, errorKinds, -1, -1);
  }

  /** This run with the CPU time its cluster's members and the driver spent during it. */
  public LevelResult withCpu(long members, long driver) {
    return new LevelResult(ops, errors, elapsedNanos, latencies, errorKinds, members, driver);
  }

  /** CPU microseconds the members spent per answered request; NaN if not measured or nothing answered. */
  public double membersCpuMicrosPerOp() {
    return perOp(membersCpuNanos);
  }

  /** CPU microseconds the load driver (client library included) spent per answered request. */
  public double driverCpuMicrosPerOp() {
    return perOp(driverCpuNanos);
  }

  private double perOp(long cpuNanos) {
    return cpuNanos < 0 || ops == 0 ? Double.NaN : cpuNanos / 1e3 / ops;
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
    return new LevelResult(ops + other.ops, errors + other.errors, elapsedNanos + other.elapsedNanos, pooled, kinds,
        sumIfBoth(membersCpuNanos, other.membersCpuNanos), sumIfBoth(driverCpuNanos, other.driverCpuNanos));
  }

  private static long sumIfBoth(long a, long b) {
    return a < 0 || b < 0 ? -1 : a + b;
  }
}
