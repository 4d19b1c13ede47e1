package io.raftkv.raft.sim;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The random client and the random environment of the fault phase: unique proposals, reads,
 * membership changes, leader transfers and forced campaigns on one side; crashes (also in the middle of
 * handling a Ready), restarts, partitions and log compaction on the other. Rates come from the run's
 * {@link FaultProfile}.
 *
 * <p>Membership changes are chosen so that the group can always make progress once healed: at most one
 * is outstanding, and each (change type, node) pair is proposed at most once, so a proposal that seemed
 * lost but commits late can never undo a later change; a node whose change is left unresolved is never
 * touched again, and a voter whose removal is unresolved counts as removed, so at least three voters
 * that can run always remain.
 */
final class SimWorkload {

  private record PendingConf(ByteString context, ConfChangeType type, long node, long proposedAt) {}

  private static final long CONF_TIMEOUT_TICKS = 40;

  private final SimCluster c;
  private final Random rnd;
  private final SimOptions o;
  private final FaultProfile p;

  private long nextPayload;
  private long nextRead;
  private long nextConf;
  private PendingConf pending;
  private final Set<Long> targeted = new TreeSet<>();
  private final Set<Long> frozen = new TreeSet<>();
  private final Set<Long> maybeRemoved = new TreeSet<>();
  private final Set<String> proposedTransitions = new HashSet<>();
  private long partitionHealAt = -1;

  long proposals;
  long confChangesProposed;
  long partitions;

  SimWorkload(SimCluster cluster, Random rnd) {
    this.c = cluster;
    this.rnd = rnd;
    this.o = cluster.options;
    this.p = o.profile();
    for (long id = 1; id <= o.clusterSize(); id++) {
      targeted.add(id);
    }
  }

  /** One step of the fault phase: maybe some client and fault events, then one cluster step. */
  void step() {
    long now = c.now();
    if (rnd.nextDouble() < 0.25) {
      proposeRandom();
    }
    if (rnd.nextDouble() < 0.03) {
      long node = randomRunning();
      if (node != 0) {
        c.readIndex(node, ByteString.copyFromUtf8("r" + o.seed() + "-" + nextRead++));
      }
    }
    resolvePendingConf(now);
    if (pending == null && rnd.nextDouble() < 0.012) {
      changeMembership(now);
    }
    if (rnd.nextDouble() < 0.004) {
      transferLeadership();
    }
    if (rnd.nextDouble() < 0.0015) {
      List<Long> voters = runningVoters();
      if (!voters.isEmpty()) {
        c.campaign(voters.get(rnd.nextInt(voters.size())));
      }
    }
    if (rnd.nextDouble() < p.crashRate) {
      crashOne();
    }
    if (partitionHealAt < 0 && rnd.nextDouble() < p.partitionRate) {
      partition(now);
    } else if (partitionHealAt >= 0 && now >= partitionHealAt) {
      c.network.heal();
      c.trace("partition healed");
      partitionHealAt = -1;
    }
    if (rnd.nextDouble() < p.compactRate) {
      long node = randomRunning();
      if (node != 0) {
        long applied = c.node(node).appliedIndex();
        c.compact(node, applied - rnd.nextInt(4));
      }
    }
    c.step();
  }

  /** Ends the fault phase. */
  void stop() {
    partitionHealAt = -1;
  }

  private void proposeRandom() {
    long node = preferLeader(0.7);
    if (node == 0) {
      return;
    }
    proposals++;
    c.propose(node, ByteString.copyFromUtf8("v" + o.seed() + "-" + nextPayload++));
  }

  private void resolvePendingConf(long now) {
    if (pending == null) {
      return;
    }
    if (c.confChangeApplied(pending.context())) {
      pending = null;
    } else if (now - pending.proposedAt() > CONF_TIMEOUT_TICKS * SimCluster.STEPS_PER_TICK) {
      // It may still commit later: never touch this node again, and count a removal as done.
      frozen.add(pending.node());
      if (pending.type() == ConfChangeType.RemoveNode) {
        maybeRemoved.add(pending.node());
      }
      c.trace("conf change " + pending.type() + " " + pending.node() + " unresolved: node frozen");
      pending = null;
    }
  }

  private void changeMembership(long now) {
    ConfState conf = c.latestConf();
    List<Long> voters = conf.getVotersList();
    List<Long> learners = conf.getLearnersList();
    List<ConfChange> options = new ArrayList<>();
    long fresh = 0;
    for (long id = 1; id <= o.maxNodeId(); id++) {
      if (!targeted.contains(id)) {
        fresh = id;
        break;
      }
    }
    if (fresh != 0) {
      options.add(cc(ConfChangeType.AddLearnerNode, fresh));
      options.add(cc(ConfChangeType.AddNode, fresh));
    }
    for (long l : learners) {
      if (!frozen.contains(l) && !proposedTransitions.contains(ConfChangeType.AddNode + ":" + l)) {
        options.add(cc(ConfChangeType.AddNode, l));
      }
    }
    Set<Long> safeVoters = new TreeSet<>(voters);
    safeVoters.removeAll(maybeRemoved);
    for (long v : voters) {
      if (!frozen.contains(v) && safeVoters.contains(v) && safeVoters.size() - 1 >= 3) {
        options.add(cc(ConfChangeType.RemoveNode, v));
      }
    }
    for (long l : learners) {
      if (!frozen.contains(l)) {
        options.add(cc(ConfChangeType.RemoveNode, l));
      }
    }
    options.removeIf(x -> proposedTransitions.contains(x.getChangeType() + ":" + x.getNodeId()));
    if (options.isEmpty()) {
      return;
    }
    ConfChange change = options.get(rnd.nextInt(options.size()));
    long target = change.getNodeId();
    boolean isFresh = target == fresh;
    if (isFresh) {
      c.addNode(target);
    }
    long proposer = preferLeader(0.8);
    if (proposer == 0) {
      return;
    }
    confChangesProposed++;
    if (c.proposeConfChange(proposer, change)) {
      targeted.add(target);
      proposedTransitions.add(change.getChangeType() + ":" + target);
      pending = new PendingConf(change.getContext(), change.getChangeType(), target, now);
    }
  }

  private ConfChange cc(ConfChangeType type, long node) {
    return ConfChange.newBuilder()
        .setChangeType(type)
        .setNodeId(node)
        .setContext(ByteString.copyFromUtf8("cc" + o.seed() + "-" + nextConf++))
        .build();
  }

  private void transferLeadership() {
    SimNode leader = c.leader();
    List<Long> voters = c.latestConf().getVotersList();
    if (voters.isEmpty()) {
      return;
    }
    long target = voters.get(rnd.nextInt(voters.size()));
    long at = leader != null && rnd.nextDouble() < 0.8 ? leader.id : randomRunning();
    if (at != 0) {
      c.transferLeader(at, target);
    }
  }

  private void crashOne() {
    if (c.downCount() >= c.maxDown()) {
      return;
    }
    SimNode leader = c.leader();
    long victim = leader != null && rnd.nextDouble() < 0.3 ? leader.id : randomRunning();
    if (victim == 0) {
      return;
    }
    long downFor = (5 + rnd.nextInt(80)) * (long) SimCluster.STEPS_PER_TICK;
    if (rnd.nextDouble() < 0.4) {
      c.crashFor(victim, downFor);
    } else {
      SimNode.CrashPoint[] points = {SimNode.CrashPoint.BEFORE_PERSIST, SimNode.CrashPoint.AFTER_PERSIST,
          SimNode.CrashPoint.AFTER_SEND, SimNode.CrashPoint.MID_APPLY};
      c.crashDuringNextReady(victim, points[rnd.nextInt(points.length)], downFor);
    }
  }

  private void partition(long now) {
    List<Long> ids = new ArrayList<>();
    for (SimNode n : c.nodes()) {
      ids.add(n.id);
    }
    if (ids.size() < 2) {
      return;
    }
    SimNode leader = c.leader();
    long pivot = leader != null ? leader.id : ids.get(rnd.nextInt(ids.size()));
    List<Long> others = new ArrayList<>(ids);
    others.remove(pivot);
    int kind = rnd.nextInt(5);
    switch (kind) {
      case 0 -> {
        Collections.shuffle(ids, rnd);
        int k = 1 + rnd.nextInt(ids.size() / 2);
        List<Long> a = new ArrayList<>(ids.subList(0, k));
        List<Long> b = new ArrayList<>(ids.subList(k, ids.size()));
        c.network.split(a, b, "split " + a + " | " + b);
      }
      case 1 -> c.network.split(List.of(pivot), others, "leader " + pivot + " isolated");
      case 2 -> {
        Collections.shuffle(ids, rnd);
        long bridge = ids.get(0);
        List<Long> rest = ids.subList(1, ids.size());
        int k = Math.max(1, rest.size() / 2);
        List<Long> a = new ArrayList<>(rest.subList(0, k));
        List<Long> b = new ArrayList<>(rest.subList(k, rest.size()));
        c.network.split(a, b, "bridge " + bridge + " between " + a + " and " + b);
      }
      case 3 -> c.network.cutOneWay(pivot, others, "leader " + pivot + " cannot send");
      default -> {
        for (long other : others) {
          c.network.cutOneWay(other, List.of(pivot), "leader " + pivot + " cannot hear");
        }
      }
    }
    partitions++;
    c.trace("partition: " + c.network.partition());
    partitionHealAt = now + (20 + rnd.nextInt(150)) * (long) SimCluster.STEPS_PER_TICK;
  }

  private List<Long> runningVoters() {
    List<Long> out = new ArrayList<>();
    for (long v : c.latestConf().getVotersList()) {
      SimNode n = c.node(v);
      if (n != null && n.isRunning()) {
        out.add(v);
      }
    }
    return out;
  }

  private long randomRunning() {
    List<Long> ids = c.runningIds();
    return ids.isEmpty() ? 0 : ids.get(rnd.nextInt(ids.size()));
  }

  private long preferLeader(double chance) {
    SimNode leader = c.leader();
    if (leader != null && rnd.nextDouble() < chance) {
      return leader.id;
    }
    return randomRunning();
  }
}
