package io.raftkv.torture.rig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What one torture run does: its seed, how long the workload runs, how many nodes, clients and keys, which
 * faults, where its files go and whether to keep them, and whether the cluster runs plaintext instead of TLS.
 */
public record TortureOptions(long seed, Duration duration, int nodes, int clients, int keys, Set<FaultKind> faults,
    Path dir, boolean keep, int tickMs, boolean insecure) {

  public TortureOptions {
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(faults, "faults");
    Objects.requireNonNull(dir, "dir");
    faults = Set.copyOf(faults);
    if (nodes != 3 && nodes != 5) {
      throw new IllegalArgumentException("--nodes is " + nodes + ": the rig runs 3 or 5 nodes");
    }
    if (clients < 1 || clients > 256) {
      throw new IllegalArgumentException("--clients is " + clients + ": it must be between 1 and 256");
    }
    if (keys < 1 || keys > 10_000) {
      throw new IllegalArgumentException("--keys is " + keys + ": it must be between 1 and 10000");
    }
    if (tickMs < 10 || tickMs > 1000) {
      throw new IllegalArgumentException("--tick-ms is " + tickMs + ": it must be between 10 and 1000");
    }
  }

  /** The command line that runs this seed again with the same settings. */
  public String rerunCommand() {
    StringBuilder b = new StringBuilder("raftkv torture --seed ").append(seed)
        .append(" --duration ").append(duration.toMillis()).append("ms")
        .append(" --nodes ").append(nodes).append(" --clients ").append(clients).append(" --keys ").append(keys)
        .append(" --faults ");
    if (faults.isEmpty()) {
      b.append("none");
    } else {
      b.append(String.join(",", faults.stream().sorted().map(FaultKind::flag).toList()));
    }
    b.append(" --tick-ms ").append(tickMs);
    return insecure ? b.append(" --insecure").toString() : b.toString();
  }
}
