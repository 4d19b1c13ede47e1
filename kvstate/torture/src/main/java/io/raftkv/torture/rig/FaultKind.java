package io.raftkv.torture.rig;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The kinds of fault the nemesis injects, by the names `raftkv torture --faults` takes. */
public enum FaultKind {
  /** kill -9 of a random node or of the leader, then a restart on the same data directory. */
  KILL("kill"),
  /** SIGSTOP of a node's process, then SIGCONT: a node that stalls and comes back with stale ideas. */
  PAUSE("pause"),
  /** Majority/minority, bridge or isolated-leader partitions through SetNetworkFaults. */
  PARTITION("partition"),
  /** Dropped and delayed (so reordered) peer message batches on every node. */
  DROP_DELAY("drop-delay"),
  /** A node's data directory wiped and the node re-added as a new member. */
  WIPE("wipe"),
  /** Several clients with thousands of writes in flight: load far past what admission control admits. */
  FLOOD("flood"),
  /** Legal writes with the largest answers and apply work the limits allow (1 MiB values, 10,000 ops). */
  POISON("poison");

  private final String flag;

  FaultKind(String flag) {
    this.flag = flag;
  }

  public String flag() {
    return flag;
  }

  /**
   * Parses a comma-separated list such as "kill,partition".
   *
   * @throws IllegalArgumentException naming an unknown kind and listing the known ones
   */
  public static Set<FaultKind> parse(String text) {
    Set<FaultKind> out = EnumSet.noneOf(FaultKind.class);
    for (String part : text.split(",")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty() || name.equals("none")) {
        continue;
      }
      FaultKind kind = null;
      for (FaultKind k : values()) {
        if (k.flag.equals(name)) {
          kind = k;
        }
      }
      if (kind == null) {
        throw new IllegalArgumentException("--faults names '" + part.trim() + "': known faults are "
            + all() + " (or none)");
      }
      out.add(kind);
    }
    return out;
  }

  /** Every kind, as the flag lists them. */
  public static String all() {
    return EnumSet.allOf(FaultKind.class).stream().map(FaultKind::flag).collect(Collectors.joining(","));
  }
}
