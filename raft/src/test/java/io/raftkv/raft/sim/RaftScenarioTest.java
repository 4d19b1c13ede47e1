package io.raftkv.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.raft.SoftState;
import io.raftkv.raft.StateType;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Scripted fault scenarios on the simulated cluster, and checks that the safety checks can fail. */
class RaftScenarioTest {

  @Test
  void leaderIsolatedByPartitionIsReplacedAndRejoinsWithoutLoss() {
    SimCluster c = cluster(5, true);
    SimNode oldLeader = awaitLeader(c);
    long committed = commit(c, oldLeader.id, "a", 10, all(c));

    List<Long> others = othersThan(c, oldLeader.id);
    c.network.split(List.of(oldLeader.id), others, "old leader isolated");
    for (int i = 0; i < 3; i++) {
      assertThat(c.propose(oldLeader.id, payload("stale" + i))).isTrue();
    }
    runUntil(c, () -> leaderAmong(c, others) != null, 200, "a new leader among the majority");
    SimNode newLeader = leaderAmong(c, others);
    long later = commit(c, newLeader.id, "b", 10, others);
    assertThat(later).isGreaterThan(committed);
    // CheckQuorum: the isolated leader steps down on its own.
    runUntil(c, () -> !oldLeader.isLeader(), 100,
        "the isolated leader stepping down");

    c.network.heal();
    runUntil(c, () -> oldLeader.appliedIndex() >= later, 200, "the old leader catching up");
    assertThat(oldLeader.softState().raftState()).isEqualTo(StateType.FOLLOWER);
    assertThat(oldLeader.raw().status().softState().raftState()).isEqualTo(StateType.FOLLOWER);
    assertThat(oldLeader.stateMachine()).isEqualTo(newLeader.stateMachine().subList(0, oldLeader.stateMachine().size()));
    for (int i = 0; i < 3; i++) {
      assertThat(c.checker.indexOf(payload("stale" + i))).as("uncommitted entry of the deposed leader").isEqualTo(-1);
    }
    for (Entry e : storedLog(oldLeader)) {
      assertThat(e.getData().toStringUtf8()).doesNotStartWith("stale");
    }
    assertSafe(c);
  }

  @Test
  void crashedFollowerRestartsFromPersistedStateAndCatchesUp() {
    SimCluster c = cluster(3, false);
    SimNode leader = awaitLeader(c);
    commit(c, leader.id, "x", 5, all(c));
    SimNode follower = c.node(othersThan(c, leader.id).get(0));
    long appliedAtCrash = follower.appliedIndex();
    var hardStateAtCrash = follower.storage.initialState().hardState();

    c.crash(follower.id);
    List<Long> alive = othersThan(c, follower.id);
    long last = commit(c, leader.id, "y", 10, alive);
    assertThat(follower.appliedIndex()).isEqualTo(appliedAtCrash);
    assertThat(follower.storage.initialState().hardState()).isEqualTo(hardStateAtCrash);

    c.restart(follower.id);
    runUntil(c, () -> follower.appliedIndex() >= last, 100, "the restarted follower catching up");
    assertThat(follower.stateMachine()).isEqualTo(leader.stateMachine().subList(0, follower.stateMachine().size()));
    assertThat(follower.snapshotsRestored()).isZero();
    assertSafe(c);
  }

  @Test
  void nodeCrashingMidApplyResumesFromItsDurableAppliedIndex() {
    SimCluster c = cluster(3, true);
    SimNode leader = awaitLeader(c);
    commit(c, leader.id, "x", 3, all(c));
    SimNode follower = c.node(othersThan(c, leader.id).get(0));
    c.crashDuringNextReady(follower.id, SimNode.CrashPoint.MID_APPLY);
    long last = commit(c, leader.id, "y", 10, othersThan(c, follower.id));
    runUntil(c, () -> !follower.isRunning(), 50, "the follower crashing");
    c.restart(follower.id);
    runUntil(c, () -> follower.appliedIndex() >= last, 100, "the restarted follower catching up");
    // The checker saw every application: none out of order, none twice.
    assertThat(follower.stateMachine()).isEqualTo(leader.stateMachine().subList(0, follower.stateMachine().size()));
    assertSafe(c);
  }

  @Test
  void followerBehindCompactionCatchesUpThroughSnapshot() {
    SimCluster c = cluster(3, true);
    SimNode leader = awaitLeader(c);
    commit(c, leader.id, "x", 3, all(c));
    SimNode lagging = c.node(othersThan(c, leader.id).get(0));
    List<Long> majority = othersThan(c, lagging.id);
    c.network.split(List.of(lagging.id), majority, "follower cut off");
    long last = commit(c, leader.id, "y", 30, majority);
    for (long id : majority) {
      assertThat(c.compact(id, c.node(id).appliedIndex())).isTrue();
    }
    assertThat(leader.storage.firstIndex()).isGreaterThan(lagging.storage.lastIndex() + 1);

    c.network.heal();
    runUntil(c, () -> lagging.appliedIndex() >= last, 200, "the lagging follower catching up");
    assertThat(lagging.snapshotsRestored()).isGreaterThanOrEqualTo(1);
    assertThat(c.snapshotsDelivered).isGreaterThanOrEqualTo(1);
    assertThat(lagging.stateMachine()).isEqualTo(leader.stateMachine().subList(0, lagging.stateMachine().size()));
    long more = commit(c, leader.id, "z", 5, all(c));
    assertThat(lagging.appliedIndex()).isGreaterThanOrEqualTo(more);
    assertSafe(c);
  }

  @Test
  void learnerIsPromotedAndRemovedLeaderIsReplaced() {
    SimCluster c = cluster(3, true);
    SimNode leader = awaitLeader(c);
    commit(c, leader.id, "x", 5, all(c));

    c.addNode(4);
    changeMembership(c, leader.id, ConfChangeType.AddLearnerNode, 4);
    assertThat(c.latestConf().getLearnersList()).containsExactly(4L);
    // The joining node catches up from the leader's latest snapshot, which must already include it
    // (a node ignores a snapshot whose membership does not include it).
    c.network.split(List.of(4L), List.of(1L, 2L, 3L), "learner cut off");
    commit(c, leader.id, "y", 5, List.of(1L, 2L, 3L));
    assertThat(c.compact(leader.id, leader.appliedIndex())).isTrue();
    c.network.heal();
    runUntil(c, () -> c.node(4).appliedIndex() >= leader.appliedIndex(), 100, "the learner catching up");
    assertThat(c.node(4).snapshotsRestored()).isEqualTo(1);
    changeMembership(c, leader.id, ConfChangeType.AddNode, 4);
    assertThat(c.latestConf().getVotersList()).contains(4L);
    assertThat(c.latestConf().getLearnersList()).isEmpty();

    changeMembership(c, leader.id, ConfChangeType.RemoveNode, leader.id);
    assertThat(c.latestConf().getVotersList()).hasSize(3).doesNotContain(leader.id);
    runUntil(c, () -> leader.life() == SimNode.Life.SHUT_DOWN, 200, "the removed leader shutting down");
    SimNode next = awaitLeader(c);
    assertThat(next.id).isNotEqualTo(leader.id);
    commit(c, next.id, "after", 5, c.latestConf().getVotersList());
    assertSafe(c);
  }

  @Test
  void leaderCountsItsOwnEntryTowardCommitOnlyOnceItIsPersisted() {
    SimCluster c = cluster(3, false);
    SimNode leader = awaitLeader(c);
    commit(c, leader.id, "x", 3, all(c));
    List<Long> followers = othersThan(c, leader.id);
    long acker = followers.get(0);
    long cutOff = followers.get(1);
    c.network.split(List.of(cutOff), List.of(leader.id, acker), "one follower cut off");

    // The leader's write of the new entry is slow; it sends its appends at once, as the contract allows.
    c.holdNextReady(leader.id, 20, true);
    assertThat(c.propose(leader.id, payload("slow-write"))).isTrue();
    assertThat(leader.held()).as("the leader sits on the Ready with the new entry").isNotNull();
    long index = leader.held().entries().get(leader.held().entries().size() - 1).getIndex();
    runUntil(c, () -> c.node(acker).storage.lastIndex() >= index, 10, "the follower persisting the entry");
    c.runSteps(6);
    assertThat(leader.held()).isNotNull();
    // Only the follower has the entry on stable storage: one of three is no quorum.
    assertThat(leader.raw().status().hardState().getCommit()).as("leader's commit index while its write is pending")
        .isLessThan(index);

    runUntil(c, () -> leader.held() == null, 20, "the leader's write completing");
    runUntil(c, () -> leader.appliedIndex() >= index && c.node(acker).appliedIndex() >= index, 20,
        "the entry committing once the leader persisted it");
    assertSafe(c);
  }

  @Test
  void leaderTransferHandsLeadershipToTheTransfereeWhereverItIsAsked() {
    SimCluster c = cluster(3, true);
    SimNode leader = awaitLeader(c);
    commit(c, leader.id, "x", 3, all(c));
    List<Long> followers = othersThan(c, leader.id);

    // Asked on the leader itself.
    long first = followers.get(0);
    c.transferLeader(leader.id, first);
    runUntil(c, () -> c.leader() != null && c.leader().id != leader.id, 50, "leadership moving away from " + leader.id);
    assertThat(c.leader().id).as("new leader after transferLeader(" + first + ") on the leader").isEqualTo(first);
    commit(c, first, "y", 3, all(c));

    // Asked on a follower, which forwards the request to the leader: the transferee is still the one named.
    long asker = leader.id;
    long second = followers.get(1);
    c.transferLeader(asker, second);
    runUntil(c, () -> c.leader() != null && c.leader().id != first, 50, "leadership moving away from " + first);
    assertThat(c.leader().id).as("new leader after transferLeader(" + second + ") on follower " + asker)
        .isEqualTo(second);
    commit(c, second, "z", 3, all(c));
    assertSafe(c);
  }

  @Test
  void readIndexForwardedByAFormerLeaderIsAnsweredOnTheNodeThatAsked() {
    SimCluster c = cluster(3, true);
    SimNode leader = awaitLeader(c);
    commit(c, leader.id, "x", 3, all(c));
    List<Long> followers = othersThan(c, leader.id);
    long asker = followers.get(0);
    long staleLeader = followers.get(1);

    // The asker's request reaches a node that no longer leads (a late copy of a forward sent to it while
    // it led): that node forwards it on to the leader, whose answer must reach the asker.
    ByteString ctx = payload("read-via-" + staleLeader);
    c.checker.readIssued(asker, ctx);
    c.inject(Message.newBuilder().setMsgType(MessageType.MsgReadIndex).setFrom(asker).setTo(staleLeader)
        .addEntries(Entry.newBuilder().setData(ctx)).build());
    long before = c.checker.readsServed;
    runUntil(c, () -> c.checker.readsServed > before, 50, "a ReadState for the forwarded request");
    assertSafe(c);
  }

  @Test
  void aRunIsAPureFunctionOfItsSeed() {
    for (long seed : new long[] {7, 10}) {
      SimOptions o = SimOptions.forSeed(seed).withTicks(1500);
      String first = outcome(o, false);
      assertThat(outcome(o, false)).isEqualTo(first);
      assertThat(outcome(o, true)).as("tracing must not change the run").isEqualTo(first);
    }
  }

  /** The run's result, or how it failed: either way a summary of its whole history. */
  private static String outcome(SimOptions o, boolean tracing) {
    try {
      return Simulation.run(o, tracing).toString();
    } catch (SimFailure f) {
      return "failed at tick " + f.tick + ": " + f.getCause();
    }
  }

  // ---------------------------------------------------------------- the checks can fail

  @Test
  void checksFireOnViolations() {
    SimOptions o = SimOptions.scripted(1, 3, false);
    ConfState voters = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
    SimNode a = new SimNode(1, o);
    SimNode b = new SimNode(2, o);
    SimNode c = new SimNode(3, o);
    SimNode learner = new SimNode(4, o);
    for (SimNode n : List.of(a, b, c)) {
      n.storage.setConfState(voters);
    }

    InvariantChecker sm = new InvariantChecker();
    sm.applied(a, entry(1, 1, "p1"));
    assertThatThrownBy(() -> sm.applied(b, entry(1, 1, "other")))
        .isInstanceOf(SimViolation.class).hasMessageContaining("state machine safety");
    assertThatThrownBy(() -> sm.applied(b, entry(2, 2, "p1")))
        .isInstanceOf(SimViolation.class).hasMessageContaining("no duplicate application");

    InvariantChecker elections = new InvariantChecker();
    observeLeader(elections, a, 3);
    assertThatThrownBy(() -> observeLeader(elections, b, 3))
        .isInstanceOf(SimViolation.class).hasMessageContaining("election safety");

    a.storage.append(List.of(entry(1, 1, "p1"), entry(2, 1, "p2"), entry(3, 2, "p3")));
    b.storage.append(List.of(entry(1, 1, "p1"), entry(2, 1, "CORRUPT"), entry(3, 2, "p3")));
    assertThatThrownBy(() -> new InvariantChecker().checkLogMatching(List.of(a, b)))
        .isInstanceOf(SimViolation.class).hasMessageContaining("log matching");

    assertThatThrownBy(() -> observeLeader(new InvariantChecker(), learner, 1))
        .isInstanceOf(SimViolation.class).hasMessageContaining("only voters campaign");

    InvariantChecker completeness = new InvariantChecker();
    c.storage.append(List.of(entry(1, 1, "p1")));
    completeness.applied(a, entry(1, 1, "p1"));
    completeness.applied(a, entry(2, 1, "p2"));
    observeLeader(completeness, a, 1, 2);
    observeLeader(completeness, c, 2);
    assertThatThrownBy(() -> completeness.persisted(c, 1))
        .isInstanceOf(SimViolation.class).hasMessageContaining("leader completeness");
  }

  // ---------------------------------------------------------------- helpers

  private static SimCluster cluster(int size, boolean preVoteAndCheckQuorum) {
    SimCluster c = new SimCluster(SimOptions.scripted(42, size, preVoteAndCheckQuorum), true);
    c.bootstrap();
    return c;
  }

  private static ByteString payload(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static Entry entry(long index, long term, String data) {
    return Entry.newBuilder().setEntryType(EntryType.EntryNormal).setIndex(index).setTerm(term)
        .setData(payload(data)).build();
  }

  private static void observeLeader(InvariantChecker checker, SimNode node, long term) {
    observeLeader(checker, node, term, 0);
  }

  private static void observeLeader(InvariantChecker checker, SimNode node, long term, long commit) {
    checker.observe(node, new SoftState(node.id, StateType.LEADER),
        HardState.newBuilder().setTerm(term).setVote(node.id).setCommit(commit).build());
  }

  private static List<Long> all(SimCluster c) {
    List<Long> ids = new ArrayList<>();
    for (SimNode n : c.nodes()) {
      ids.add(n.id);
    }
    return ids;
  }

  private static List<Long> othersThan(SimCluster c, long id) {
    List<Long> ids = all(c);
    ids.remove(id);
    return ids;
  }

  private static void runUntil(SimCluster c, BooleanSupplier done, long maxTicks, String what) {
    long deadline = c.now() + maxTicks * SimCluster.STEPS_PER_TICK;
    while (!done.getAsBoolean()) {
      if (c.now() >= deadline) {
        List<String> trace = c.traceTail();
        throw new AssertionError("no " + what + " within " + maxTicks + " ticks\n" + c.describeNodes()
            + "  last events:\n    " + String.join("\n    ", trace.subList(Math.max(0, trace.size() - 60), trace.size())));
      }
      c.step();
    }
  }

  private static SimNode awaitLeader(SimCluster c) {
    runUntil(c, () -> c.leader() != null, 200, "leader");
    SimNode leader = c.leader();
    // Let the new leader commit its empty entry everywhere before the scenario proceeds.
    c.runTicks(5);
    assertThat(c.leader()).isSameAs(leader);
    return leader;
  }

  private static SimNode leaderAmong(SimCluster c, List<Long> ids) {
    for (long id : ids) {
      SimNode n = c.node(id);
      if (n.isLeader()) {
        return n;
      }
    }
    return null;
  }

  /** Proposes {@code count} payloads at {@code at} and waits until {@code on} applied them; returns the last index. */
  private static long commit(SimCluster c, long at, String prefix, int count, List<Long> on) {
    List<ByteString> payloads = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ByteString p = payload(prefix + i);
      payloads.add(p);
      assertThat(c.propose(at, p)).as("proposal " + p.toStringUtf8() + " accepted").isTrue();
    }
    ByteString lastPayload = payloads.get(count - 1);
    runUntil(c, () -> {
      long index = c.checker.indexOf(lastPayload);
      return index > 0 && on.stream().allMatch(id -> c.node(id).appliedIndex() >= index);
    }, 200, "commit of " + prefix + "0.." + (count - 1) + " on " + on);
    return c.checker.indexOf(lastPayload);
  }

  private static void changeMembership(SimCluster c, long at, ConfChangeType type, long node) {
    ByteString ctx = payload("cc-" + type + "-" + node);
    ConfChange cc = ConfChange.newBuilder().setChangeType(type).setNodeId(node).setContext(ctx).build();
    runUntil(c, () -> c.proposeConfChange(at, cc), 50, "accepted conf change " + type + " " + node);
    runUntil(c, () -> c.confChangeApplied(ctx), 100, "applied conf change " + type + " " + node);
  }

  private static List<Entry> storedLog(SimNode n) {
    return n.storage.entries(n.storage.firstIndex(), n.storage.lastIndex() + 1, Long.MAX_VALUE);
  }

  private static void assertSafe(SimCluster c) {
    c.checker.checkLogMatching(c.nodes());
    c.checker.checkStateMachines(c.nodes());
  }
}
