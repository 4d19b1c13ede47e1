package io.raftkv.torture.rig;

import io.raftkv.api.NetworkFaults;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Injects one fault at a time into the cluster, chosen with the run's seed: kill -9 and restart, SIGSTOP
 * and SIGCONT, partitions, dropped and delayed batches, a wiped node re-added as a new member, a flood of
 * clients, poison writes (the largest answers the limits allow). Each fault
 * holds for a second or a few, then heals before the next. Runs on its own thread until stopped.
 */
final class Nemesis implements Runnable {
  private final ClusterProcesses cluster;
  private final ClientFlood flood;
  private final PoisonWrites poison;
  private final List<FaultKind> kinds;
  private final Random random;
  private final long startNanos = System.nanoTime();
  private final Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);
  private final List<String> log = new ArrayList<>();
  private volatile boolean stopped;
  private int errors;

  Nemesis(ClusterProcesses cluster, ValueLedger ledger, Set<FaultKind> kinds, long seed) {
    this.cluster = cluster;
    this.flood = new ClientFlood(cluster::endpoints, cluster.clients(), ledger);
    this.poison = new PoisonWrites(cluster::endpoints, cluster.clients(), ledger);
    this.kinds = kinds.stream().sorted().toList();
    this.random = new Random(seed);
  }

  void stop() {
    stopped = true;
  }

  synchronized Map<FaultKind, Integer> injected() {
    return new EnumMap<>(injected);
  }

  synchronized List<String> log() {
    return List.copyOf(log);
  }

  synchronized int errors() {
    return errors;
  }

  @Override
  public void run() {
    if (kinds.isEmpty()) {
      return;
    }
    while (!stopped) {
      if (!pause(500 + random.nextInt(1500))) {
        return;
      }
      FaultKind kind = kinds.get(random.nextInt(kinds.size()));
      try {
        inject(kind);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | IOException e) {
        // The cluster refused a step (e.g. no leader to remove a member through): note it and go on;
        // the final heal brings every node back.
        note("nemesis step " + kind.flag() + " failed: " + e.getMessage());
        synchronized (this) {
          errors++;
        }
        cluster.clearFaultsWherePossible();
      }
    }
  }

  private void inject(FaultKind kind) throws IOException, InterruptedException {
    List<NodeProcess> nodes = cluster.nodes();
    switch (kind) {
      case KILL -> {
        NodeProcess victim = victim(nodes);
        victim.kill();
        count(kind, "kill -9 node " + victim.memberId());
        hold(500, 2500);
        cluster.restart(victim);
        note("restart node " + victim.memberId());
      }
      case PAUSE -> {
        NodeProcess victim = victim(nodes);
        victim.pause();
        count(kind, "SIGSTOP node " + victim.memberId());
        hold(500, 3000);
        victim.resume();
        note("SIGCONT node " + victim.memberId());
      }
      case PARTITION -> {
        List<Long> ids = nodes.stream().map(NodeProcess::memberId).toList();
        Optional<NodeProcess> leader = cluster.leader();
        int shape = random.nextInt(3);
        Partitions.Shape s = shape == 0 || (shape == 2 && leader.isEmpty()) ? Partitions.majorityMinority(ids, random)
            : shape == 1 ? Partitions.bridge(ids, random) : Partitions.isolated(ids, leader.get().memberId());
        for (NodeProcess n : nodes) {
          cluster.setFaults(n, NetworkFaults.newBuilder().addAllBlockedPeers(s.blocked().get(n.memberId())).build());
        }
        count(kind, "partition: " + s.name());
        hold(1000, 4000);
        clearFaults(nodes);
        note("partition healed");
      }
      case DROP_DELAY -> {
        double rate = 0.05 + random.nextDouble() * 0.25;
        int delay = 10 + random.nextInt(200);
        for (NodeProcess n : nodes) {
          cluster.setFaults(n, NetworkFaults.newBuilder().setDropRate(rate).setMaxDelayMs(delay)
              .setSeed(random.nextLong() | 1).build());
        }
        count(kind, String.format("drop %.0f%% and delay 0..%d ms on every node", rate * 100, delay));
        hold(1000, 4000);
        clearFaults(nodes);
        note("drops and delays healed");
      }
      case WIPE -> {
        NodeProcess victim = nodes.get(random.nextInt(nodes.size()));
        long oldId = victim.memberId();
        victim.kill();
        boolean replaced = cluster.replaceWithNewMember(victim);
        count(kind, replaced ? "wipe node " + oldId + ": re-added as node " + victim.memberId()
            : "wipe node " + oldId + " abandoned (not removed in time): restarted on its data");
        hold(1000, 3000);
      }
      case FLOOD -> {
        int millis = 1000 + random.nextInt(2000);
        count(kind, "flood: " + ClientFlood.CLIENTS + " clients with " + ClientFlood.IN_FLIGHT_PER_CLIENT
            + " writes in flight each for " + millis + " ms");
        ClientFlood.Result r = flood.burst(java.time.Duration.ofMillis(millis));
        note("flood over: " + r.sent() + " sent, " + r.acknowledged() + " acknowledged, " + r.failed() + " failed");
      }
      case POISON -> {
        count(kind, "poison writes: 1 MiB values, " + PoisonWrites.OPS_PER_WRITE + " unmatched compare-and-sets");
        PoisonWrites.Result r = poison.round();
        note("poison writes over: " + r.answered() + " answered"
            + (r.failures().isEmpty() ? "" : ", refused or failed: " + String.join("; ", r.failures())));
      }
      default -> throw new IllegalStateException("unhandled fault " + kind);
    }
  }

  /** The leader half the time (the worst node to lose), else any node. */
  private NodeProcess victim(List<NodeProcess> nodes) {
    if (random.nextBoolean()) {
      Optional<NodeProcess> leader = cluster.leader();
      if (leader.isPresent()) {
        return leader.get();
      }
    }
    return nodes.get(random.nextInt(nodes.size()));
  }

  private void clearFaults(List<NodeProcess> nodes) {
    for (NodeProcess n : nodes) {
      cluster.setFaults(n, NetworkFaults.getDefaultInstance());
    }
  }

  /** Holds the fault for a random time; even when stopped the fault is healed by the caller's next step. */
  private void hold(int minMillis, int maxMillis) throws InterruptedException {
    Thread.sleep(minMillis + random.nextInt(maxMillis - minMillis));
  }

  /** Waits between faults; false once stopped. */
  private boolean pause(int millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!stopped && System.nanoTime() < until) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !stopped;
  }

  private synchronized void count(FaultKind kind, String what) {
    injected.merge(kind, 1, Integer::sum);
    note(what);
  }

  private synchronized void note(String what) {
    String line = String.format("%8.3f s  %s", (System.nanoTime() - startNanos) / 1e9, what);
    log.add(line);
    System.out.println("nemesis " + line);
  }
}
