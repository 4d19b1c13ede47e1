package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Commitment: quorum of persisted copies, the leader's own persistence, figure 8, commit propagation. */
class CommitTest {

  @Test
  void leaderCommitsOnceMajorityHasPersisted() {
    TestCluster c = TestCluster.ofVoters(5);
    c.elect(1);
    long before = c.commit(1);
    c.holdIf(m -> m.getMsgType() == MessageType.MsgAppend);
    c.propose(1, "x");
    c.handleAllReady(1);
    List<Message> apps = c.releaseHeld();
    assertThat(apps).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L, 4L, 5L);
    long idx = c.storage(1).lastIndex();
    // followers 2 and 3 persist and answer; 4 and 5 never get the entry
    c.holdIf(m -> m.getMsgType() == MessageType.MsgAppendResponse);
    c.stabilize();
    Message ack2 = c.held.stream().filter(m -> m.getFrom() == 2).findFirst().orElseThrow();
    Message ack3 = c.held.stream().filter(m -> m.getFrom() == 3).findFirst().orElseThrow();
    c.clearHolds();
    c.discardHeld();
    c.isolate(4);
    c.isolate(5);
    c.deliver(ack2);
    c.handleAllReady(1);
    assertThat(c.commit(1)).as("leader + 1 follower of 5").isEqualTo(before);
    c.deliver(ack3);
    c.handleAllReady(1);
    assertThat(c.commit(1)).as("leader + 2 followers of 5").isEqualTo(idx);
    assertThat(c.appliedData(1)).containsExactly("x");
  }

  @Test
  void leaderDoesNotCountOwnUnpersistedEntryTowardCommit() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long before = c.commit(1);
    c.propose(1, "x");
    RawNode leader = c.node(1);
    Ready rd = leader.ready();
    assertThat(rd.entries()).hasSize(1);
    assertThat(rd.committedEntries()).isEmpty();
    long idx = rd.entries().get(0).getIndex();
    List<Message> apps = ofTypeTo(rd.messages(), MessageType.MsgAppend, 2);
    assertThat(apps).as("leader may send appends before its own write is done").isNotEmpty();
    // follower 2 persists and acks while the leader's write is still under way
    for (Message m : apps) {
      c.deliver(m);
    }
    c.holdIf(m -> true);
    Ready f = c.handleReady(2);
    c.discardHeld();
    for (Message m : ofTypeTo(f.messages(), MessageType.MsgAppendResponse, 1)) {
      leader.step(m);
    }
    assertThat(leader.status().hardState().getCommit())
        .as("only follower 2 has persisted the entry: no quorum of 3 yet").isEqualTo(before);
    // now the leader persists its own entry and acknowledges it
    c.storage(1).append(rd.entries());
    if (!rd.hardState().equals(io.raftkv.raft.pb.HardState.getDefaultInstance())) {
      c.storage(1).setHardState(rd.hardState());
    }
    leader.advance(rd);
    c.clearHolds();
    c.handleAllReady(1);
    assertThat(leader.status().hardState().getCommit()).isEqualTo(idx);
    assertThat(c.appliedData(1)).containsExactly("x");
  }

  @Test
  void singleNodeCommitsOnlyAfterPersistingItsEntry() {
    TestCluster c = TestCluster.ofVoters(1);
    c.elect(1);
    long before = c.commit(1);
    c.propose(1, "solo");
    Ready rd = c.node(1).ready();
    assertThat(rd.entries()).hasSize(1);
    assertThat(rd.committedEntries()).isEmpty();
    assertThat(c.node(1).status().hardState().getCommit()).isEqualTo(before);
    c.storage(1).append(rd.entries());
    c.node(1).advance(rd);
    c.handleAllReady(1);
    assertThat(c.commit(1)).isEqualTo(before + 1);
    assertThat(c.appliedData(1)).containsExactly("solo");
  }

  /**
   * Figure 8: node 1 leads term 2 and appends E at index 5 alone; 2 leads term 3 without replicating; 1 is
   * re-elected in term 4 and replicates E to 3. E (term 2) is on a majority but must not be committed by
   * counting; it is committed once 1's term-4 entry is.
   */
  @Test
  void leaderDoesNotCommitEntryOfEarlierTermByCounting() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.maxSizePerMsg(0));
    c.elect(1);
    assertThat(c.commit(1)).isEqualTo(4);
    c.isolate(1);
    c.propose(1, "E");
    c.stabilize();
    assertThat(c.storage(1).lastIndex()).isEqualTo(5);
    c.heal();
    c.isolate(1);
    c.dropIf(m -> m.getFrom() == 2 && m.getMsgType() != MessageType.MsgRequestVote);
    c.node(2).campaign();
    c.stabilize();
    assertThat(c.state(2)).isEqualTo(StateType.LEADER);
    assertThat(c.term(2)).isEqualTo(3);
    assertThat(c.storage(3).lastIndex()).as("2's term-3 entry never reached 3").isEqualTo(4);
    c.heal();
    c.isolate(2);
    // hold 1's append of its term-4 entry (index 6) to 3 once 3 holds E: then 3 has E but not 6
    c.holdIf(m -> m.getFrom() == 1 && m.getTo() == 3 && m.getMsgType() == MessageType.MsgAppend
        && m.getEntriesList().stream().anyMatch(e -> e.getIndex() == 6) && c.storage(3).lastIndex() == 5);
    // 1 (still leader of term 2, unaware of term 3) crashes and restarts with E in its log
    c.restart(1);
    c.handleAllReady(1);
    // 1 campaigns: term 3 is refused by 3 (voted for 2), term 4 wins
    c.node(1).campaign();
    c.stabilize();
    if (c.state(1) != StateType.LEADER) {
      c.node(1).campaign();
      c.stabilize();
    }
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    long t = c.term(1);
    assertThat(t).isGreaterThanOrEqualTo(4);
    assertThat(c.storage(3).lastIndex()).isEqualTo(5);
    assertThat(c.storage(3).term(5)).isEqualTo(2);
    assertThat(c.progress(1, 3).match()).as("leader knows 3 holds E").isEqualTo(5);
    assertThat(c.commit(1)).as("E (term 2) is on 1 and 3 but must not be committed by counting").isEqualTo(4);
    assertThat(c.appliedData(1)).isEmpty();
    assertThat(c.held).isNotEmpty();
    c.releaseHeld();
    c.stabilize();
    c.tickAllAndStabilize(2);
    assertThat(c.commit(1)).isEqualTo(6);
    assertThat(c.storage(3).term(6)).isEqualTo(t);
    assertThat(c.appliedData(1)).containsExactly("E");
    assertThat(c.appliedData(3)).containsExactly("E");
  }

  @Test
  void leaderCommitsEarlierTermEntryIndirectlyThroughOwnTermEntry() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(1);
    c.propose(1, "old-term");
    c.stabilize();
    long oldIdx = c.storage(1).lastIndex();
    long oldTerm = c.storage(1).term(oldIdx);
    c.heal();
    // 1 crashes and restarts, then is re-elected in a later term; its log is the most up to date
    c.restart(1);
    c.handleAllReady(1);
    c.node(1).campaign();
    c.stabilize();
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    assertThat(c.term(1)).isGreaterThan(oldTerm);
    Entry top = c.storage(1).entries(c.storage(1).lastIndex(), c.storage(1).lastIndex() + 1, Long.MAX_VALUE).get(0);
    assertThat(top.getTerm()).isEqualTo(c.term(1));
    for (long id : c.ids()) {
      assertThat(c.commit(id)).isGreaterThanOrEqualTo(top.getIndex());
      assertThat(c.appliedData(id)).containsExactly("old-term");
    }
  }

  @Test
  void commitIndexReachesFollowers() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.propose(1, "b");
    c.stabilize();
    long leaderCommit = c.commit(1);
    assertThat(leaderCommit).isEqualTo(c.storage(1).lastIndex());
    for (long id : c.ids()) {
      assertThat(c.commit(id)).as("commit on %d", id).isEqualTo(leaderCommit);
      assertThat(c.storage(id).initialState().hardState().getCommit()).isEqualTo(leaderCommit);
      assertThat(c.appliedData(id)).containsExactly("a", "b");
    }
  }

  @Test
  void commitReachesFollowerThroughHeartbeatWhenAppendResponseIsLate() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    // 3 gets the entry but not the append carrying the new commit index
    c.holdIf(m -> m.getTo() == 3 && m.getMsgType() == MessageType.MsgAppend && m.getEntriesCount() == 0);
    c.propose(1, "x");
    c.stabilize();
    c.clearHolds();
    c.discardHeld();
    c.tickAllAndStabilize(2);
    assertThat(c.commit(3)).isEqualTo(c.commit(1));
    assertThat(c.appliedData(3)).containsExactly("x");
  }

  @Test
  void uncommittedEntriesAreNeverApplied() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(1);
    c.propose(1, "minority");
    c.tickAllAndStabilize(3);
    assertThat(c.appliedData(1)).isEmpty();
    assertThat(c.commit(1)).isLessThan(c.storage(1).lastIndex());
  }

  @Test
  void stateMachineSafetyUnderRandomPartitionsAndLeaderChanges() {
    TestCluster c = TestCluster.ofVoters(5, b -> b.preVote(true));
    java.util.Random rnd = new java.util.Random(2024);
    int n = 0;
    for (int round = 0; round < 500; round++) {
      if (round % 25 == 0) {
        c.heal();
        if (rnd.nextBoolean()) {
          c.isolate(1 + rnd.nextInt(5));
        }
        if (rnd.nextInt(3) == 0) {
          long a = 1 + rnd.nextInt(5);
          long b = 1 + rnd.nextInt(5);
          c.partition(List.of(a, b));
        }
      }
      if (rnd.nextInt(10) == 0) {
        long from = 1 + rnd.nextInt(5);
        c.dropIf(m -> m.getFrom() == from && m.getMsgType() == MessageType.MsgAppendResponse);
      }
      c.tickAll();
      for (long id : c.ids()) {
        if (c.state(id) == StateType.LEADER && rnd.nextInt(2) == 0) {
          c.propose(id, "s" + n++);
        }
      }
      c.stabilize();
      c.assertStateMachineSafety();
    }
    c.assertStillWorks("end");
  }
}
