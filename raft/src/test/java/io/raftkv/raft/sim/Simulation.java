package io.raftkv.raft.sim;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.ConfState;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One complete run: bootstrap the group, run the random fault phase, then heal everything (network,
 * crashed nodes, slow disks) and require that a stable leader commits a final proposal on every live
 * member; finally check the safety properties over all nodes' persisted logs and state machines.
 */
final class Simulation {

  /** Ticks the healed group gets to elect a stable leader and commit a final proposal everywhere. */
  static final long HEAL_TICKS = 600;
  private static final long LOG_MATCHING_EVERY_STEPS = 100;
  private static final long SNAPSHOT_EVERY_TICKS = 25;

  private Simulation() {}

  static SimResult run(SimOptions options) {
    return run(options, false);
  }

  /** Runs {@code options}; on any failure throws a {@link SimFailure} holding the trace if {@code tracing}. */
  static SimResult run(SimOptions options, boolean tracing) {
    SimCluster c = new SimCluster(options, tracing);
    String phase = "bootstrap";
    try {
      c.bootstrap();
      phase = "fault phase";
      SimWorkload w = new SimWorkload(c, new Random(options.seed() * 0x27BB2EE687B0B0FDL + 5));
      long steps = (long) options.ticks() * SimCluster.STEPS_PER_TICK;
      for (long i = 1; i <= steps; i++) {
        w.step();
        if (i % LOG_MATCHING_EVERY_STEPS == 0) {
          c.checker.checkLogMatching(c.nodes());
        }
      }
      phase = "healing";
      w.stop();
      c.calm();
      long start = c.tickNow();
      awaitLiveness(c);
      awaitReads(c);
      long healTicks = c.tickNow() - start;
      phase = "final checks";
      c.checker.checkLogMatching(c.nodes());
      c.checker.checkStateMachines(c.nodes());
      return new SimResult(options.seed(), c.tickNow(), c.checker.maxApplied(), w.proposals,
          c.checker.leadersSeen(), c.crashes, c.restarts, w.partitions, c.snapshotsDelivered, c.compactions,
          c.checker.readsServed, w.confChangesProposed, c.checker.leaderCompletenessChecks, healTicks,
          c.fingerprint);
    } catch (SimFailure f) {
      throw f;
    } catch (Throwable t) {
      throw new SimFailure(t, phase, c.tickNow(), c.describeNodes(), c.traceTail());
    }
  }

  /**
   * Liveness after healing: within {@link #HEAL_TICKS}, some leader holds its term for an election
   * timeout, and a proposal made to it is applied by every member of its configuration.
   */
  static void awaitLiveness(SimCluster c) {
    SimOptions o = c.options;
    long deadline = c.now() + HEAL_TICKS * SimCluster.STEPS_PER_TICK;
    long stableStep = (long) o.electionTick() * SimCluster.STEPS_PER_TICK;
    long leaderId = 0;
    long leaderTerm = -1;
    long since = 0;
    long lastProposal = Long.MIN_VALUE / 2;
    List<ByteString> finals = new ArrayList<>();
    while (c.now() < deadline) {
      c.step();
      SimNode leader = c.leader();
      if (leader == null) {
        leaderId = 0;
        continue;
      }
      long term = leader.term();
      if (leader.id != leaderId || term != leaderTerm) {
        leaderId = leader.id;
        leaderTerm = term;
        since = c.now();
      }
      if (c.now() % (SNAPSHOT_EVERY_TICKS * SimCluster.STEPS_PER_TICK) == 0) {
        // The application's periodic snapshot: also what lets a node added after the leader's last
        // snapshot catch up (a node ignores a snapshot whose membership does not include it).
        c.compact(leader.id, leader.appliedIndex());
      }
      if (c.now() - since >= stableStep && c.now() - lastProposal >= 4 * stableStep) {
        ByteString payload = ByteString.copyFromUtf8("final" + o.seed() + "-" + finals.size());
        finals.add(payload);
        c.propose(leader.id, payload);
        lastProposal = c.now();
      }
      if (appliedByAllMembers(c, leader, finals)) {
        return;
      }
    }
    throw new SimViolation("liveness after healing", "no final proposal was applied by every member within "
        + HEAL_TICKS + " ticks of healing (" + finals.size() + " proposed); leader now: "
        + (c.leader() == null ? "none" : c.leader().id) + "\n" + c.describeNodes());
  }

  /**
   * Read liveness after healing: a readIndex request made on the leader and one made on a follower
   * (forwarded to the leader) are both answered; a request is retried, as an application does, if its
   * answer is late.
   */
  static void awaitReads(SimCluster c) {
    long deadline = c.now() + HEAL_TICKS * SimCluster.STEPS_PER_TICK;
    long retry = 3L * c.options.electionTick() * SimCluster.STEPS_PER_TICK;
    int attempt = 0;
    while (c.now() < deadline) {
      SimNode leader = c.leader();
      if (leader == null) {
        c.step();
        continue;
      }
      SimNode follower = null;
      for (long id : members(leader.confState())) {
        SimNode n = c.node(id);
        if (id != leader.id && n != null && n.isRunning()) {
          follower = n;
          break;
        }
      }
      ByteString atLeader = ByteString.copyFromUtf8("final-read" + c.options.seed() + "-" + attempt + "-leader");
      ByteString atFollower = ByteString.copyFromUtf8("final-read" + c.options.seed() + "-" + attempt + "-follower");
      attempt++;
      c.readIndex(leader.id, atLeader);
      if (follower != null) {
        c.readIndex(follower.id, atFollower);
      }
      long until = Math.min(deadline, c.now() + retry);
      while (c.now() < until) {
        c.step();
        if (c.checker.readAnswered(atLeader) && (follower == null || c.checker.readAnswered(atFollower))) {
          return;
        }
      }
    }
    throw new SimViolation("read liveness after healing", "no readIndex request made on the leader and on a"
        + " follower was answered within " + HEAL_TICKS + " ticks (" + attempt + " attempts)\n" + c.describeNodes());
  }

  private static boolean appliedByAllMembers(SimCluster c, SimNode leader, List<ByteString> finals) {
    ConfState conf = leader.confState();
    for (ByteString payload : finals) {
      long index = c.checker.indexOf(payload);
      if (index < 0) {
        continue;
      }
      boolean all = true;
      for (long id : members(conf)) {
        SimNode n = c.node(id);
        if (n == null || !n.isRunning() || n.appliedIndex() < index) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  static List<Long> members(ConfState conf) {
    List<Long> ids = new ArrayList<>(conf.getVotersList());
    ids.addAll(conf.getLearnersList());
    return ids;
  }
}
