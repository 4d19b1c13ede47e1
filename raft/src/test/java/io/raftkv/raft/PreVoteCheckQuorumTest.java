package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofType;
import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PreVote (no term bump before winning a pre-vote) and CheckQuorum (leader step-down, leader lease). */
class PreVoteCheckQuorumTest {

  @Test
  void preCandidateDoesNotIncreaseTerm() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.preVote(true));
    long term = c.term(1);
    c.node(1).campaign();
    Ready rd = c.handleReady(1);
    assertThat(c.state(1)).isEqualTo(StateType.PRE_CANDIDATE);
    assertThat(c.term(1)).isEqualTo(term);
    assertThat(c.status(1).hardState().getVote()).isZero();
    List<Message> pre = ofType(rd.messages(), MessageType.MsgRequestPreVote);
    assertThat(pre).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L);
    assertThat(pre).allSatisfy(m -> assertThat(m.getTerm()).isEqualTo(term + 1));
    assertThat(ofType(rd.messages(), MessageType.MsgRequestVote)).isEmpty();
  }

  @Test
  void preVoteGrantDoesNotChangeVotersTermOrVote() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.preVote(true));
    long term = c.term(2);
    c.node(2).step(msg(MessageType.MsgRequestPreVote, 1, 2, term + 1).setIndex(3).setLogTerm(1).build());
    Ready rd = c.handleReady(2);
    List<Message> resp = ofTypeTo(rd.messages(), MessageType.MsgRequestPreVoteResponse, 1);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isFalse();
    assertThat(c.term(2)).isEqualTo(term);
    assertThat(c.status(2).hardState().getVote()).isZero();
  }

  @Test
  void preCandidateBecomesCandidateThenLeaderAfterWinningPreVote() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.preVote(true));
    long term = c.term(1);
    c.node(1).campaign();
    c.stabilize();
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    assertThat(c.term(1)).isEqualTo(term + 1);
    assertThat(c.sentOfType(MessageType.MsgRequestVote)).isNotEmpty();
  }

  @Test
  void preCandidateLosingPreVoteKeepsItsTerm() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.preVote(true));
    c.elect(1);
    c.propose(1, "x");
    c.stabilize();
    // 3 misses entries, so its pre-vote is refused by 1 and 2
    c.isolate(3);
    c.propose(1, "y");
    c.stabilize();
    c.heal();
    long term = c.term(3);
    c.dropIf(m -> m.getFrom() == 1 && m.getTo() == 3);
    c.node(3).campaign();
    c.stabilize();
    assertThat(c.term(3)).isEqualTo(term);
    assertThat(c.state(3)).isIn(StateType.FOLLOWER, StateType.PRE_CANDIDATE);
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.term(1)).isEqualTo(term);
  }

  @Test
  void partitionedNodeRejoiningDoesNotDisruptLeaderWithPreVote() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.preVote(true).checkQuorum(true));
    c.elect(1);
    long term = c.term(1);
    c.isolate(3);
    for (int i = 0; i < 100; i++) {
      c.tick(3);
      c.stabilize();
    }
    assertThat(c.term(3)).as("isolated pre-candidate never raises its term").isEqualTo(term);
    assertThat(c.state(3)).isIn(StateType.PRE_CANDIDATE, StateType.FOLLOWER);
    c.heal();
    for (int i = 0; i < 30; i++) {
      c.tickAll();
      c.stabilize();
    }
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.term(1)).isEqualTo(term);
    assertThat(c.term(3)).isEqualTo(term);
    assertThat(c.status(3).softState().lead()).isEqualTo(1);
  }

  @Test
  void partitionedNodeRejoiningAfterLeaderProgressDoesNotDisruptLeaderWithPreVote() {
    TestCluster c = TestCluster.ofVoters(5, b -> b.preVote(true).checkQuorum(true));
    c.elect(1);
    long term = c.term(1);
    c.isolate(5);
    for (int i = 0; i < 60; i++) {
      c.tickAll();
      if (i % 10 == 0) {
        c.propose(1, "p" + i);
      }
      c.stabilize();
    }
    c.heal();
    c.tickAllAndStabilize(40);
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.term(1)).isEqualTo(term);
    assertThat(c.appliedData(5)).hasSize(6);
  }

  @Test
  void withoutPreVotePartitionedNodeRaisesItsTerm() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(1);
    c.isolate(3);
    for (int i = 0; i < 40; i++) {
      c.tick(3);
      c.stabilize();
    }
    assertThat(c.term(3)).isGreaterThan(term);
  }

  @Test
  void leaderWithoutQuorumStepsDownWithinTwoElectionTimeouts() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.checkQuorum(true));
    c.elect(1);
    c.isolate(1);
    for (int i = 0; i < 20; i++) {
      c.tick(1);
      c.stabilize();
    }
    assertThat(c.state(1)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.status(1).softState().lead()).isZero();
  }

  @Test
  void learnerActivityDoesNotKeepLeaderAliveUnderCheckQuorum() {
    TestCluster c = TestCluster.of(List.of(1L, 2L, 3L), List.of(4L), b -> b.checkQuorum(true));
    c.elect(1);
    c.dropIf(m -> m.getFrom() == 2 || m.getTo() == 2 || m.getFrom() == 3 || m.getTo() == 3);
    for (int i = 0; i < 20; i++) {
      c.tick(1);
      c.tick(4);
      c.stabilize();
    }
    assertThat(c.state(1)).as("only the learner answers: no quorum of voters").isEqualTo(StateType.FOLLOWER);
  }

  @Test
  void leaderWithQuorumStaysLeaderWithCheckQuorum() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.checkQuorum(true));
    c.elect(1);
    long term = c.term(1);
    c.isolate(3);
    for (int i = 0; i < 100; i++) {
      c.tick(1);
      c.tick(2);
      c.stabilize();
    }
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    assertThat(c.term(1)).isEqualTo(term);
  }

  @Test
  void leaderWithoutCheckQuorumStaysLeaderWhenIsolated() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(1);
    for (int i = 0; i < 100; i++) {
      c.tick(1);
      c.stabilize();
    }
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
  }

  @Test
  void followerInLeaderLeaseIgnoresVoteRequest() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.checkQuorum(true));
    c.elect(1);
    c.tickAllAndStabilize(1);
    long term = c.term(2);
    long last = c.storage(3).lastIndex();
    long lastTerm = c.storage(3).term(last);
    c.node(2).step(msg(MessageType.MsgRequestVote, 3, 2, term + 1).setIndex(last).setLogTerm(lastTerm).build());
    List<Message> out = new ArrayList<>();
    for (Ready rd : c.handleAllReady(2)) {
      out.addAll(rd.messages());
    }
    assertThat(ofType(out, MessageType.MsgRequestVoteResponse)).noneMatch(m -> !m.getReject());
    assertThat(c.term(2)).isEqualTo(term);
    assertThat(c.status(2).softState().lead()).isEqualTo(1);
    assertThat(c.status(2).hardState().getVote()).isNotEqualTo(3);
  }

  @Test
  void leaderInLeaseIgnoresVoteRequestWithHigherTerm() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.checkQuorum(true));
    c.elect(1);
    c.tickAllAndStabilize(1);
    long term = c.term(1);
    long last = c.storage(3).lastIndex();
    c.node(1).step(msg(MessageType.MsgRequestVote, 3, 1, term + 1).setIndex(last)
        .setLogTerm(c.storage(3).term(last)).build());
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    assertThat(c.term(1)).isEqualTo(term);
  }

  @Test
  void followerWithoutCheckQuorumGrantsVoteToUpToDateCandidateOfHigherTerm() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.tickAllAndStabilize(1);
    long term = c.term(2);
    long last = c.storage(3).lastIndex();
    c.node(2).step(msg(MessageType.MsgRequestVote, 3, 2, term + 1).setIndex(last)
        .setLogTerm(c.storage(3).term(last)).build());
    List<Message> out = new ArrayList<>();
    for (Ready rd : c.handleAllReady(2)) {
      out.addAll(rd.messages());
    }
    assertThat(ofType(out, MessageType.MsgRequestVoteResponse)).singleElement()
        .satisfies(m -> assertThat(m.getReject()).isFalse());
  }

  @Test
  void followerAfterLeaseExpiryGrantsVoteWithCheckQuorum() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.checkQuorum(true));
    c.elect(1);
    c.isolate(1);
    c.isolate(3);
    // 2 hears nothing for an election timeout
    for (int i = 0; i < 10; i++) {
      c.node(2).tick();
      c.handleAllReady(2);
    }
    long term = c.term(2);
    long last = c.storage(3).lastIndex();
    c.heal();
    c.node(2).step(msg(MessageType.MsgRequestVote, 3, 2, Math.max(term, c.term(3)) + 1).setIndex(last)
        .setLogTerm(c.storage(3).term(last)).build());
    List<Message> out = new ArrayList<>();
    for (Ready rd : c.handleAllReady(2)) {
      out.addAll(rd.messages());
    }
    assertThat(ofTypeTo(out, MessageType.MsgRequestVoteResponse, 3)).singleElement()
        .satisfies(m -> assertThat(m.getReject()).isFalse());
  }

  @Test
  void clusterWithPreVoteAndCheckQuorumRecoversFromLeaderIsolation() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.preVote(true).checkQuorum(true));
    c.elect(1);
    c.isolate(1);
    for (int i = 0; i < 60; i++) {
      c.tickAll();
      c.stabilize();
    }
    long l = c.leader();
    assertThat(l).isIn(2L, 3L);
    assertThat(c.state(1)).isNotEqualTo(StateType.LEADER);
    c.assertStillWorks("recovered");
  }
}
