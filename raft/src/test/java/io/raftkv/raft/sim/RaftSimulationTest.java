package io.raftkv.raft.sim;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Deterministic fault-injection runs of the Raft core: one run per seed, seeds
 * {@code raftkv.sim.firstSeed} .. {@code firstSeed + raftkv.sim.seeds - 1} (defaults 1 and 300; the
 * {@code soak} profile runs 5000). Even seeds run 3 nodes and odd seeds 5; PreVote+CheckQuorum is on for
 * half of each; the fault profile is drawn from the seed (see {@link SimOptions#forSeed}). Each run is a
 * pure function of its seed, so a failure names the command that re-runs exactly that run.
 */
class RaftSimulationTest {

  private static final int SEEDS = Integer.getInteger("raftkv.sim.seeds", 300);
  private static final int FIRST_SEED = Integer.getInteger("raftkv.sim.firstSeed", 1);
  private static final int TRACE_LINES_SHOWN = 120;

  private static final List<SimResult> RESULTS = Collections.synchronizedList(new ArrayList<>());
  private static final List<String> FAILURES = Collections.synchronizedList(new ArrayList<>());
  private static long startNanos;

  @TestFactory
  Stream<DynamicTest> randomizedRuns() {
    startNanos = System.nanoTime();
    return IntStream.range(0, SEEDS).mapToObj(i -> {
      long seed = (long) FIRST_SEED + i;
      SimOptions o = SimOptions.forSeed(seed);
      return dynamicTest("seed " + seed + ": " + o.describe(), () -> runSeed(o));
    });
  }

  private static void runSeed(SimOptions o) {
    try {
      RESULTS.add(Simulation.run(o));
    } catch (SimFailure failure) {
      // Re-run the same seed with tracing on: the run is deterministic, so it fails the same way and
      // its trace shows the history leading to the failure.
      SimFailure traced = null;
      try {
        Simulation.run(o, true);
      } catch (SimFailure again) {
        traced = again;
      }
      FAILURES.add("seed " + o.seed() + " (" + o.clusterSize() + " nodes, " + o.profile() + "): "
          + failure.property());
      throw new AssertionError(report(o, failure, traced), failure.getCause());
    }
  }

  static String report(SimOptions o, SimFailure f, SimFailure traced) {
    StringBuilder sb = new StringBuilder();
    sb.append("\nRaft simulation failed: ").append(f.property()).append('\n');
    sb.append("  seed:          ").append(o.seed()).append('\n');
    sb.append("  cluster size:  ").append(o.clusterSize()).append('\n');
    sb.append("  options:       ").append(o.describe()).append('\n');
    sb.append("  fault profile: ").append(o.profile()).append('\n');
    sb.append("  failed in:     ").append(f.phase).append(" at tick ").append(f.tick).append('\n');
    sb.append("  cause:         ").append(f.getCause()).append('\n');
    sb.append("  re-run only this seed:\n    ").append(o.rerunCommand()).append('\n');
    sb.append("  nodes when it failed:\n").append(f.nodes);
    if (traced == null) {
      sb.append("  (a traced re-run of this seed did NOT fail: the run is not deterministic)\n");
    } else {
      boolean same = String.valueOf(traced.getCause()).equals(String.valueOf(f.getCause()));
      List<String> lines = traced.trace;
      sb.append("  last ").append(Math.min(TRACE_LINES_SHOWN, lines.size())).append(" events (traced re-run, ")
          .append(same ? "same failure" : "DIFFERENT failure: " + traced.getCause()).append("):\n");
      for (String line : lines.subList(Math.max(0, lines.size() - TRACE_LINES_SHOWN), lines.size())) {
        sb.append("    ").append(line).append('\n');
      }
    }
    return sb.toString();
  }

  @AfterAll
  static void summary() {
    if (RESULTS.isEmpty() && FAILURES.isEmpty()) {
      return;
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long committed = 0;
    long leaders = 0;
    long crashes = 0;
    long partitions = 0;
    long snapshots = 0;
    long reads = 0;
    long confChanges = 0;
    long leaderChecks = 0;
    long maxHeal = 0;
    synchronized (RESULTS) {
      for (SimResult r : RESULTS) {
        committed += r.committedIndex();
        leaders += r.leaders();
        crashes += r.crashes();
        partitions += r.partitions();
        snapshots += r.snapshotsDelivered();
        reads += r.readsServed();
        confChanges += r.confChangesProposed();
        leaderChecks += r.leaderChecks();
        maxHeal = Math.max(maxHeal, r.healTicks());
      }
    }
    System.out.printf("Raft simulation: %d seeds from %d in %.1f s: %d passed, %d failed; %d entries committed,"
            + " %d leaders, %d crashes, %d partitions, %d snapshots delivered, %d reads served,"
            + " %d conf changes proposed, %d leader-completeness checks, slowest heal %d ticks%n",
        SEEDS, FIRST_SEED, seconds, RESULTS.size(), FAILURES.size(), committed, leaders, crashes, partitions,
        snapshots, reads, confChanges, leaderChecks, maxHeal);
    for (String f : FAILURES) {
      System.out.println("  FAILED " + f);
    }
  }
}
