package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.addLearner;
import static io.raftkv.raft.TestCluster.addNode;
import static io.raftkv.raft.TestCluster.bytes;
import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofType;
import static io.raftkv.raft.TestCluster.removeNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership changes: add/remove voters and learners, one at a time, learners, removed leader, joining nodes. */
class MembershipTest {

  @Test
  void addNodeIsReplicatedAppliedAndNewNodeCatchesUp() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "before");
    c.stabilize();
    c.addJoining(4);
    c.node(1).proposeConfChange(addNode(4));
    c.stabilize();
    c.tickAllAndStabilize(3);
    for (long id : c.ids()) {
      assertThat(c.member(id).confState.getVotersList()).as("voters on %d", id)
          .containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    }
    assertThat(c.status(1).progress()).containsKey(4L);
    c.assertLogsMatchLeader(1);
    assertThat(c.appliedData(4)).containsExactly("before");
    c.propose(1, "after");
    c.stabilize();
    assertThat(c.appliedData(4)).containsExactly("before", "after");
  }

  @Test
  void addedVoterCountsTowardQuorum() {
    TestCluster c = TestCluster.ofVoters(1);
    c.elect(1);
    c.addJoining(2);
    c.node(1).proposeConfChange(addNode(2));
    c.stabilize();
    c.tickAllAndStabilize(2);
    assertThat(c.member(1).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L);
    c.isolate(2);
    c.propose(1, "needs-2");
    c.tickAllAndStabilize(3);
    assertThat(c.appliedData(1)).as("quorum of {1,2} needs 2").isEmpty();
    c.heal();
    c.tickAllAndStabilize(3);
    assertThat(c.appliedData(1)).containsExactly("needs-2");
  }

  @Test
  void removeNodeShrinksQuorum() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(removeNode(3));
    c.stabilize();
    for (long id : List.of(1L, 2L)) {
      assertThat(c.member(id).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L);
    }
    assertThat(c.status(1).progress()).doesNotContainKey(3L);
    c.remove(3);
    c.propose(1, "two-node");
    c.stabilize();
    assertThat(c.appliedData(1)).containsExactly("two-node");
    assertThat(c.appliedData(2)).containsExactly("two-node");
  }

  @Test
  void removingNodesLetsSmallerQuorumCommit() {
    TestCluster c = TestCluster.ofVoters(5);
    c.elect(1);
    c.node(1).proposeConfChange(removeNode(5));
    c.stabilize();
    c.remove(5);
    c.node(1).proposeConfChange(removeNode(4));
    c.stabilize();
    c.remove(4);
    // {1,2,3}: 1 and 2 are a quorum even with 3 down
    c.isolate(3);
    c.propose(1, "x");
    c.stabilize();
    assertThat(c.appliedData(1)).containsExactly("x");
  }

  @Test
  void addLearnerNodeReceivesEntriesButIsNotAVoter() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.addJoining(4);
    c.node(1).proposeConfChange(addLearner(4));
    c.stabilize();
    c.tickAllAndStabilize(3);
    ConfState cs = c.member(1).confState;
    assertThat(cs.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(cs.getLearnersList()).containsExactly(4L);
    c.propose(1, "to-learner");
    c.stabilize();
    assertThat(c.appliedData(4)).containsExactly("to-learner");
    assertThat(c.member(4).confState.getLearnersList()).containsExactly(4L);
  }

  @Test
  void learnerIsNotCountedInCommitQuorum() {
    TestCluster c = TestCluster.of(List.of(1L, 2L), List.of(3L), b -> {});
    c.elect(1);
    c.isolate(2);
    c.propose(1, "x");
    c.stabilize();
    assertThat(c.storage(3).lastIndex()).as("the learner got the entry").isEqualTo(c.storage(1).lastIndex());
    assertThat(c.appliedData(1)).as("leader + learner is no quorum of {1,2}").isEmpty();
    assertThat(c.commit(1)).isLessThan(c.storage(1).lastIndex());
    c.heal();
    c.tickAllAndStabilize(2);
    assertThat(c.appliedData(1)).containsExactly("x");
    assertThat(c.appliedData(3)).containsExactly("x");
  }

  @Test
  void learnerVoteIsNotCountedAndLearnerIsNotAskedToVote() {
    TestCluster c = TestCluster.empty(b -> {});
    c.addBootstrapped(1, List.of(1L, 2L, 3L), List.of(4L));
    c.handleAllReady(1);
    c.node(1).campaign();
    Ready rd = c.handleReady(1);
    assertThat(ofType(rd.messages(), MessageType.MsgRequestVote)).extracting(Message::getTo)
        .containsExactlyInAnyOrder(2L, 3L);
    c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 4, 1, c.term(1)).build());
    assertThat(c.state(1)).as("a learner's vote does not count").isEqualTo(StateType.CANDIDATE);
    c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 2, 1, c.term(1)).build());
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
  }

  @Test
  void learnerNeverCampaigns() {
    TestCluster c = TestCluster.of(List.of(1L, 2L), List.of(3L), b -> {});
    for (int i = 0; i < 100; i++) {
      c.tick(3);
      c.stabilize();
    }
    assertThat(c.sentOfType(MessageType.MsgRequestVote)).isEmpty();
    assertThat(c.sentOfType(MessageType.MsgRequestPreVote)).isEmpty();
    c.node(3).campaign();
    c.stabilize();
    assertThat(c.state(3)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.sentOfType(MessageType.MsgRequestVote)).isEmpty();
  }

  @Test
  void learnerCanBePromotedToVoter() {
    TestCluster c = TestCluster.of(List.of(1L, 2L), List.of(3L), b -> {});
    c.elect(1);
    c.node(1).proposeConfChange(addNode(3));
    c.stabilize();
    ConfState cs = c.member(3).confState;
    assertThat(cs.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(cs.getLearnersList()).isEmpty();
    c.isolate(2);
    c.propose(1, "with-3");
    c.stabilize();
    assertThat(c.appliedData(1)).containsExactly("with-3");
  }

  @Test
  void secondConfChangeWhileOneIsUnappliedIsDropped() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(addLearner(4));
    assertThatThrownBy(() -> c.node(1).proposeConfChange(addLearner(5)))
        .isInstanceOf(ProposalDroppedException.class);
    c.handleAllReady(1);
    assertThatThrownBy(() -> c.node(1).proposeConfChange(addLearner(5)))
        .as("appended but not yet applied").isInstanceOf(ProposalDroppedException.class);
    c.stabilize();
    c.node(1).proposeConfChange(addLearner(5));
    c.stabilize();
    assertThat(c.member(1).confState.getLearnersList()).containsExactlyInAnyOrder(4L, 5L);
  }

  @Test
  void normalProposalsAreAcceptedWhileConfChangeIsPending() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(addLearner(4));
    c.propose(1, "normal");
    c.stabilize();
    assertThat(c.appliedData(2)).containsExactly("normal");
  }

  @Test
  void confChangeEntryCarriesSerializedConfChange() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(addLearner(9));
    Ready rd = c.handleReady(1);
    List<Entry> cc = rd.entries().stream().filter(e -> e.getEntryType() == EntryType.EntryConfChange).toList();
    assertThat(cc).hasSize(1);
    assertThat(TestCluster.parseConfChange(cc.get(0).getData())).isEqualTo(addLearner(9));
    assertThat(cc.get(0).getTerm()).isEqualTo(c.term(1));
  }

  @Test
  void removedLeaderStepsDownAfterChangeIsApplied() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(removeNode(1));
    c.stabilize();
    assertThat(c.member(2).confState.getVotersList()).containsExactlyInAnyOrder(2L, 3L);
    assertThat(c.member(1).confState.getVotersList()).containsExactlyInAnyOrder(2L, 3L);
    assertThat(c.state(1)).isNotEqualTo(StateType.LEADER);
    c.remove(1);
    c.elect(2);
    c.propose(2, "without-1");
    c.stabilize();
    assertThat(c.appliedData(3)).containsExactly("without-1");
  }

  @Test
  void applyConfChangeReturnsNewConfState() {
    TestCluster c = TestCluster.ofVoters(3);
    RawNode n = c.node(1);
    ConfState cs = n.applyConfChange(addNode(4));
    assertThat(cs.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    assertThat(cs.getLearnersList()).isEmpty();
    cs = n.applyConfChange(removeNode(2));
    assertThat(cs.getVotersList()).containsExactlyInAnyOrder(1L, 3L, 4L);
    cs = n.applyConfChange(addLearner(5));
    assertThat(cs.getVotersList()).containsExactlyInAnyOrder(1L, 3L, 4L);
    assertThat(cs.getLearnersList()).containsExactly(5L);
    cs = n.applyConfChange(removeNode(5));
    assertThat(cs.getLearnersList()).isEmpty();
  }

  @Test
  void removingUnknownNodeIsHarmless() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(removeNode(42));
    c.stabilize();
    assertThat(c.member(1).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L);
    c.assertStillWorks("still");
  }

  @Test
  void repeatingAppliedConfChangeIsHarmless() {
    TestCluster c = TestCluster.ofVoters(3);
    ConfState once = c.node(1).applyConfChange(addNode(2));
    assertThat(once.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L);
    ConfState twice = c.node(1).applyConfChange(addNode(3));
    assertThat(twice.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L);
    c.assertStillWorks("still");
  }

  @Test
  void nodeNotInItsOwnConfigNeverCampaigns() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(TestCluster.confEntry(1, 1, addNode(2)), TestCluster.confEntry(2, 1, addNode(3))));
    s.setHardState(HardState.newBuilder().setTerm(1).setCommit(2).build());
    s.setConfState(ConfState.newBuilder().addVoters(2).addVoters(3).build());
    RawNode n = new RawNode(RaftConfig.builder().id(1).storage(s).applied(2).randomSeed(1).build());
    for (int i = 0; i < 100; i++) {
      n.tick();
      if (n.hasReady()) {
        Ready rd = n.ready();
        assertThat(ofType(rd.messages(), MessageType.MsgRequestVote)).isEmpty();
        assertThat(ofType(rd.messages(), MessageType.MsgRequestPreVote)).isEmpty();
        n.advance(rd);
      }
    }
    n.campaign();
    if (n.hasReady()) {
      assertThat(ofType(n.ready().messages(), MessageType.MsgRequestVote)).isEmpty();
    }
    assertThat(n.status().softState().raftState()).isEqualTo(StateType.FOLLOWER);
    assertThat(n.status().hardState().getTerm()).isEqualTo(1);
  }

  @Test
  void learnerIgnoresTimeoutNow() {
    TestCluster c = TestCluster.of(List.of(1L, 2L), List.of(3L), b -> {});
    c.elect(1);
    long term = c.term(3);
    c.node(3).step(msg(MessageType.MsgTimeoutNow, 1, 3, term).build());
    c.stabilize();
    assertThat(c.state(3)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.term(3)).isEqualTo(term);
    assertThat(c.leader()).isEqualTo(1);
  }

  @Test
  void removedNodeIgnoresTimeoutNow() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(removeNode(3));
    c.stabilize();
    long term = c.term(3);
    c.node(3).step(msg(MessageType.MsgTimeoutNow, 1, 3, term).build());
    c.handleAllReady(3);
    assertThat(c.state(3)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.term(3)).isEqualTo(term);
  }

  @Test
  void removedFollowerNeverCampaignsAfterApplyingItsRemoval() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(removeNode(3));
    c.stabilize();
    assertThat(c.member(3).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L);
    c.isolate(3);
    c.sent.clear();
    for (int i = 0; i < 100; i++) {
      c.tick(3);
      c.stabilize();
    }
    assertThat(c.sent).noneMatch(m -> m.getFrom() == 3
        && (m.getMsgType() == MessageType.MsgRequestVote || m.getMsgType() == MessageType.MsgRequestPreVote));
  }

  @Test
  void joiningNodeWithEmptyStorageAcceptsLeaderAppendsAndLearnsMembership() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "x");
    c.stabilize();
    c.node(1).proposeConfChange(addNode(4));
    c.stabilize();
    c.addJoining(4);
    assertThat(c.status(4).progress()).isEmpty();
    c.tickAllAndStabilize(3);
    c.assertLogsMatchLeader(1);
    List<Entry> log4 = c.storedEntries(4);
    assertThat(log4.get(0).getIndex()).isEqualTo(1);
    assertThat(log4.get(0).getEntryType()).isEqualTo(EntryType.EntryConfChange);
    assertThat(c.member(4).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    assertThat(c.appliedData(4)).containsExactly("x");
    // once it knows it is a voter, it can lead
    c.elect(4);
    c.propose(4, "led-by-4");
    c.stabilize();
    assertThat(c.appliedData(1)).containsExactly("x", "led-by-4");
  }

  @Test
  void joiningNodeLearnsMembershipFromSnapshot() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(addNode(4));
    c.propose(1, "x");
    c.stabilize();
    long applied = c.member(1).appliedIndex;
    c.storage(1).createSnapshot(applied, c.member(1).confState, bytes("sm"));
    c.storage(1).compact(applied);
    c.addJoining(4);
    c.tickAllAndStabilize(5);
    assertThat(c.member(4).snapshotsReceived).hasSize(1);
    assertThat(c.storage(4).initialState().confState().getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    c.assertLogsMatchLeader(1);
    c.propose(1, "y");
    c.stabilize();
    assertThat(c.appliedData(4)).containsExactly("y");
  }

  /**
   * The leader's latest snapshot predates the AddNode of the joiner, so its ConfState does not list it:
   * per the contract the joiner still takes the snapshot and learns its membership from the entries after.
   */
  @Test
  void joiningNodeCatchesUpFromSnapshotTakenBeforeItWasAdded() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "x");
    c.stabilize();
    long applied = c.member(1).appliedIndex;
    c.storage(1).createSnapshot(applied, c.member(1).confState, bytes("sm"));
    c.storage(1).compact(applied);
    c.node(1).proposeConfChange(addNode(4));
    c.propose(1, "y");
    c.stabilize();
    c.addJoining(4);
    c.tickAllAndStabilize(20);
    assertThat(c.member(4).confState.getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    c.assertLogsMatchLeader(1);
    assertThat(c.appliedData(4)).containsExactly("y");
  }

  @Test
  void confChangeProposedOnFollowerIsForwardedToLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(2).proposeConfChange(addLearner(4));
    c.stabilize();
    assertThat(c.member(1).confState.getLearnersList()).containsExactly(4L);
  }
}
