package io.raftkv.bench;

/**
 * One workload point measured on both systems, and how RaftKV stands against etcd: throughput as
 * RaftKV / etcd and latency as etcd / RaftKV, so above 1 means RaftKV did better either way.
 */
public record Comparison(Operation op, int inFlight, LevelResult etcd, LevelResult raftkv) {
  public double throughputRatio() {
    return ratio(raftkv.opsPerSecond(), etcd.opsPerSecond());
  }

  public double p50Ratio() {
    return ratio(etcd.p50Millis(), raftkv.p50Millis());
  }

  public double p99Ratio() {
    return ratio(etcd.p99Millis(), raftkv.p99Millis());
  }

  /** {@code over / under}, or NaN where either side measured nothing. */
  static double ratio(double over, double under) {
    if (Double.isNaN(over) || Double.isNaN(under) || over <= 0 || under <= 0) {
      return Double.NaN;
    }
    return over / under;
  }

  /** This point and the same point of another round pooled (counts, times and latencies add up). */
  public Comparison plus(Comparison other) {
    if (other.op != op || other.inFlight != inFlight) {
      throw new IllegalArgumentException("cannot pool " + other.op + " at " + other.inFlight + " in flight with "
          + op + " at " + inFlight);
    }
    return new Comparison(op, inFlight, etcd.plus(other.etcd), raftkv.plus(other.raftkv));
  }
}
