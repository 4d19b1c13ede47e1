package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leader transfer: MsgTimeoutNow to an up-to-date transferee, catching up a lagging one, drops and abandonment. */
class LeaderTransferTest {

  @Test
  void transferToUpToDateFollowerSendsTimeoutNowAndFollowerBecomesLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(1);
    c.node(1).transferLeader(2);
    Ready rd = c.handleReady(1);
    assertThat(ofTypeTo(rd.messages(), MessageType.MsgTimeoutNow, 2)).hasSize(1);
    c.stabilize();
    assertThat(c.state(2)).isEqualTo(StateType.LEADER);
    assertThat(c.term(2)).isEqualTo(term + 1);
    assertThat(c.state(1)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.status(1).softState().lead()).isEqualTo(2);
    c.propose(2, "new-leader");
    c.stabilize();
    assertThat(c.appliedData(1)).containsExactly("new-leader");
  }

  @Test
  void transferWorksWithPreVoteAndCheckQuorum() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.preVote(true).checkQuorum(true));
    c.elect(1);
    c.tickAllAndStabilize(2);
    c.node(1).transferLeader(3);
    c.stabilize();
    assertThat(c.leader()).isEqualTo(3);
  }

  @Test
  void transferToLaggingFollowerCatchesItUpBeforeTimeoutNow() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "v" + i);
    }
    c.stabilize();
    c.heal();
    List<String> violations = new ArrayList<>();
    c.onDeliver(m -> {
      if (m.getMsgType() == MessageType.MsgTimeoutNow
          && c.storage(2).lastIndex() != c.storage(1).lastIndex()) {
        violations.add("MsgTimeoutNow while 2 has " + c.storage(2).lastIndex() + " of " + c.storage(1).lastIndex());
      }
    });
    c.node(1).transferLeader(2);
    Ready rd = c.handleReady(1);
    assertThat(rd == null ? List.of() : ofTypeTo(rd.messages(), MessageType.MsgTimeoutNow, 2))
        .as("not before 2 caught up").isEmpty();
    for (int i = 0; i < 5 && c.leader() != 2; i++) {
      c.stabilize();
      if (c.leader() != 2) {
        c.tick(1);
        c.tick(3);
        c.stabilize();
      }
    }
    assertThat(violations).isEmpty();
    assertThat(c.leader()).isEqualTo(2);
    assertThat(c.appliedData(2)).containsExactly("v0", "v1", "v2", "v3", "v4");
    c.assertStateMachineSafety();
  }

  @Test
  void proposalsAreDroppedDuringTransfer() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    c.propose(1, "x");
    c.stabilize();
    c.node(1).transferLeader(2);
    c.stabilize();
    assertThatThrownBy(() -> c.propose(1, "during"))
        .isInstanceOf(ProposalDroppedException.class);
    assertThatThrownBy(() -> c.node(1).proposeConfChange(TestCluster.addLearner(4)))
        .isInstanceOf(ProposalDroppedException.class);
  }

  @Test
  void transferAbandonedAfterElectionTimeout() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(1);
    c.isolate(2);
    c.propose(1, "x");
    c.stabilize();
    c.node(1).transferLeader(2);
    c.stabilize();
    assertThatThrownBy(() -> c.propose(1, "during")).isInstanceOf(ProposalDroppedException.class);
    for (int i = 0; i < 10; i++) {
      c.tick(1);
      c.tick(3);
      c.stabilize();
    }
    c.propose(1, "after-abandon");
    c.stabilize();
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    assertThat(c.term(1)).isEqualTo(term);
    assertThat(c.appliedData(3)).containsExactly("x", "after-abandon");
  }

  @Test
  void transferToSelfIsIgnored() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).transferLeader(1);
    c.stabilize();
    assertThat(c.leader()).isEqualTo(1);
    c.propose(1, "still-accepting");
    c.stabilize();
    assertThat(c.appliedData(2)).containsExactly("still-accepting");
  }

  @Test
  void transferToNonMemberIsIgnored() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).transferLeader(9);
    c.stabilize();
    assertThat(c.leader()).isEqualTo(1);
    c.propose(1, "still-accepting");
    c.stabilize();
    assertThat(c.appliedData(2)).containsExactly("still-accepting");
  }

  @Test
  void transferToLearnerIsIgnored() {
    TestCluster c = TestCluster.of(List.of(1L, 2L), List.of(3L), b -> {});
    c.elect(1);
    c.node(1).transferLeader(3);
    c.stabilize();
    c.tickAllAndStabilize(3);
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.state(3)).isEqualTo(StateType.FOLLOWER);
  }

  @Test
  void transferRequestedOnFollowerIsForwardedToLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(3).transferLeader(3);
    c.stabilize();
    assertThat(c.leader()).isEqualTo(3);
  }

  @Test
  void transferRequestedOnFollowerForAnotherNodeHandsLeadershipToThatNode() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    // Node 2 relays the request; the leader must hand over to node 3, not to the relay.
    c.node(2).transferLeader(3);
    c.stabilize();
    assertThat(c.leader()).isEqualTo(3);
  }

  @Test
  void secondTransferToSameNodeDoesNotRestartIt() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    c.propose(1, "x");
    c.stabilize();
    c.node(1).transferLeader(2);
    c.stabilize();
    for (int i = 0; i < 5; i++) {
      c.tick(1);
      c.tick(3);
      c.stabilize();
    }
    c.node(1).transferLeader(2);
    for (int i = 0; i < 5; i++) {
      c.tick(1);
      c.tick(3);
      c.stabilize();
    }
    // 10 ticks since the first request: abandoned
    c.propose(1, "after");
    c.stabilize();
    assertThat(c.appliedData(3)).containsExactly("x", "after");
  }
}
