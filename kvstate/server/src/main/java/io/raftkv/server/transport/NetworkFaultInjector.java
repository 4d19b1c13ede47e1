package io.raftkv.server.transport;

import io.raftkv.api.NetworkFaults;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Decides the fate of this node's peer traffic under the faults a test rig asked for: which peers are
 * cut off, and whether each outgoing batch is dropped or delayed (and by how long). Thread-safe.
 */
public final class NetworkFaultInjector {
  /** Longest delay a rig may ask for: longer ones would only stand in for a block. */
  public static final int MAX_DELAY_MS = 10_000;
  /** Returned by {@link #delayMillis()} for a batch to drop. */
  public static final long DROP = -1;

  private final long selfId;
  private volatile Plan plan = new Plan(NetworkFaults.getDefaultInstance(), Set.of(), new Random(0));

  /** The faults in force and the random source of their drops and delays, replaced together. */
  private record Plan(NetworkFaults faults, Set<Long> blocked, Random random) {}

  public NetworkFaultInjector(long selfId) {
    this.selfId = selfId;
  }

  /**
   * Replaces the faults in force.
   *
   * @throws IllegalArgumentException naming a drop rate outside 0..1, a delay over {@link #MAX_DELAY_MS}
   *     or a blocked peer that is this node
   */
  public NetworkFaults set(NetworkFaults faults) {
    double rate = faults.getDropRate();
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException("drop_rate is " + rate + ": it must be between 0 and 1");
    }
    if (Integer.toUnsignedLong(faults.getMaxDelayMs()) > MAX_DELAY_MS) {
      throw new IllegalArgumentException("max_delay_ms is " + Integer.toUnsignedString(faults.getMaxDelayMs())
          + ": it must be between 0 and " + MAX_DELAY_MS);
    }
    Set<Long> blocked = new HashSet<>(faults.getBlockedPeersList());
    if (blocked.contains(selfId)) {
      throw new IllegalArgumentException("blocked_peers names node " + selfId + ", this node itself: list"
          + " only other nodes");
    }
    // A seed of 0 asks for one of our own, so two nodes given the same faults do not drop in lockstep.
    long seed = faults.getSeed() != 0 ? faults.getSeed() : System.nanoTime() ^ selfId;
    plan = new Plan(faults, Set.copyOf(blocked), new Random(seed));
    return faults;
  }

  public NetworkFaults faults() {
    return plan.faults();
  }

  /** Whether traffic with {@code peer}, either way, is cut. */
  public boolean blocks(long peer) {
    return plan.blocked().contains(peer);
  }

  /** How long to hold the next outgoing batch: 0 to send it now, or {@link #DROP}. */
  public long delayMillis() {
    Plan p = plan;
    double rate = p.faults().getDropRate();
    int maxDelay = p.faults().getMaxDelayMs();
    if (rate == 0 && maxDelay == 0) {
      return 0;
    }
    synchronized (p.random()) {
      if (rate > 0 && p.random().nextDouble() < rate) {
        return DROP;
      }
      return maxDelay == 0 ? 0 : p.random().nextInt(maxDelay + 1);
    }
  }
}
