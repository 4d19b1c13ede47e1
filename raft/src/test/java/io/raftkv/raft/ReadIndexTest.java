package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.bytes;
import static io.raftkv.raft.TestCluster.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ReadIndex: ReadState only after a quorum heartbeat round in the leader's term and a commit of its term. */
class ReadIndexTest {

  @Test
  void leaderYieldsReadStateOnlyAfterQuorumHeartbeatAck() {
    TestCluster c = TestCluster.ofVoters(5);
    c.elect(1);
    long commit = c.commit(1);
    c.holdIf(m -> true);
    c.node(1).readIndex(bytes("ctx-1"));
    c.stabilize();
    assertThat(c.member(1).readStates).isEmpty();
    List<Message> heartbeats = ofType(new ArrayList<>(c.held), MessageType.MsgHeartbeat);
    assertThat(heartbeats).extracting(Message::getTo).contains(2L, 3L);
    c.discardHeld();
    // 2 answers: leader + 2 is not a quorum of 5
    deliverAndCollectResponse(c, heartbeats, 2);
    c.handleAllReady(1);
    assertThat(c.member(1).readStates).isEmpty();
    // 3 answers: quorum
    deliverAndCollectResponse(c, heartbeats, 3);
    c.handleAllReady(1);
    assertThat(c.member(1).readStates).containsExactly(new ReadState(commit, bytes("ctx-1")));
  }

  private static void deliverAndCollectResponse(TestCluster c, List<Message> heartbeats, long to) {
    Message hb = heartbeats.stream().filter(m -> m.getTo() == to).findFirst().orElseThrow();
    c.deliver(hb);
    c.handleAllReady(to);
    List<Message> resp = ofType(new ArrayList<>(c.held), MessageType.MsgHeartbeatResponse);
    c.discardHeld();
    assertThat(resp).isNotEmpty();
    for (Message m : resp) {
      c.deliver(m);
    }
  }

  @Test
  void readIndexReturnsCommitIndexAtRequestTime() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.propose(1, "b");
    c.stabilize();
    long commit = c.commit(1);
    c.node(1).readIndex(bytes("r"));
    c.stabilize();
    assertThat(c.member(1).readStates).containsExactly(new ReadState(commit, bytes("r")));
  }

  @Test
  void newLeaderDefersReadIndexUntilEntryOfItsTermIsCommitted() {
    TestCluster c = TestCluster.ofVoters(3);
    c.holdIf(m -> m.getMsgType() == MessageType.MsgAppend);
    c.node(1).campaign();
    c.stabilize();
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    long emptyEntry = c.storage(1).lastIndex();
    assertThat(c.commit(1)).isLessThan(emptyEntry);
    c.node(1).readIndex(bytes("early"));
    c.stabilize();
    c.tick(1);
    c.stabilize();
    assertThat(c.member(1).readStates).as("no commit in the leader's term yet").isEmpty();
    c.releaseHeld();
    c.stabilize();
    c.tickAllAndStabilize(1);
    assertThat(c.member(1).readStates).containsExactly(new ReadState(emptyEntry, bytes("early")));
  }

  @Test
  void readIndexFromFollowerComesOutOfFollowersReady() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.stabilize();
    long commit = c.commit(1);
    c.node(2).readIndex(bytes("from-2"));
    Ready rd = c.handleReady(2);
    assertThat(ofType(rd.messages(), MessageType.MsgReadIndex)).extracting(Message::getTo).containsExactly(1L);
    c.stabilize();
    assertThat(c.member(2).readStates).containsExactly(new ReadState(commit, bytes("from-2")));
    assertThat(c.member(1).readStates).isEmpty();
    assertThat(c.member(3).readStates).isEmpty();
  }

  @Test
  void singleNodeGroupAnswersReadIndexAtOnce() {
    TestCluster c = TestCluster.ofVoters(1);
    c.elect(1);
    long commit = c.commit(1);
    c.node(1).readIndex(bytes("solo"));
    Ready rd = c.handleReady(1);
    assertThat(rd).isNotNull();
    assertThat(rd.readStates()).containsExactly(new ReadState(commit, bytes("solo")));
  }

  @Test
  void noReadStateWithoutQuorum() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(1);
    c.node(1).readIndex(bytes("alone"));
    for (int i = 0; i < 5; i++) {
      c.tick(1);
      c.stabilize();
    }
    assertThat(c.member(1).readStates).isEmpty();
  }

  @Test
  void learnerHeartbeatAcksDoNotConfirmLeadership() {
    TestCluster c = TestCluster.of(List.of(1L, 2L, 3L), List.of(4L, 5L), b -> {});
    c.elect(1);
    c.dropIf(m -> m.getFrom() == 2 || m.getTo() == 2 || m.getFrom() == 3 || m.getTo() == 3);
    c.node(1).readIndex(bytes("learners-only"));
    for (int i = 0; i < 3; i++) {
      c.tickAll();
      c.stabilize();
    }
    assertThat(c.member(1).readStates).isEmpty();
    c.heal();
    c.tickAllAndStabilize(2);
    assertThat(c.member(1).readStates).extracting(ReadState::requestContext).containsExactly(bytes("learners-only"));
  }

  @Test
  void readIndexOnFollowerWithoutLeaderYieldsNothingAndDoesNotThrowOtherThanDrop() {
    TestCluster c = TestCluster.ofVoters(3);
    try {
      c.node(2).readIndex(bytes("nobody"));
    } catch (ProposalDroppedException e) {
      // acceptable: no leader known
    }
    c.stabilize();
    assertThat(c.member(2).readStates).isEmpty();
  }

  @Test
  void concurrentReadRequestsAreAllAnswered() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long commit = c.commit(1);
    c.node(1).readIndex(bytes("a"));
    c.node(1).readIndex(bytes("b"));
    c.node(2).readIndex(bytes("c"));
    c.stabilize();
    assertThat(c.member(1).readStates).containsExactlyInAnyOrder(
        new ReadState(commit, bytes("a")), new ReadState(commit, bytes("b")));
    assertThat(c.member(2).readStates).containsExactly(new ReadState(commit, bytes("c")));
  }

  @Test
  void readStateIndexIsAtLeastEveryEarlierCommit() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "w" + i);
      c.stabilize();
      long commit = c.commit(1);
      c.node(3).readIndex(bytes("r" + i));
      c.stabilize();
      ReadState last = c.member(3).readStates.get(c.member(3).readStates.size() - 1);
      assertThat(last.requestContext()).isEqualTo(bytes("r" + i));
      assertThat(last.index()).isGreaterThanOrEqualTo(commit);
    }
  }
}
