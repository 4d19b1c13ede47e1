package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.entry;
import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Ready contract of RawNode: softState/hardState/snapshot defaults, mustSync, hasReady, advance, status. */
class RawNodeTest {

  /** Node 2 of {1,2,3}, bootstrapped and its first Ready handled. */
  private static TestCluster loneFollower() {
    TestCluster c = TestCluster.empty(b -> {});
    c.addBootstrapped(2, List.of(1L, 2L, 3L), List.of());
    c.handleAllReady(2);
    return c;
  }

  /** Node 2 follows leader 1 in term 2 and holds entry 4 (uncommitted on it). */
  private static TestCluster followerWithEntry() {
    TestCluster c = loneFollower();
    c.node(2).step(msg(MessageType.MsgAppend, 1, 2, 2).setIndex(3).setLogTerm(1).setCommit(3)
        .addEntries(entry(4, 2, "x")).build());
    c.handleAllReady(2);
    return c;
  }

  @Test
  void hasReadyIsFalseAfterAdvanceWhenNothingNew() {
    TestCluster c = loneFollower();
    assertThat(c.node(2).hasReady()).isFalse();
  }

  @Test
  void readyWithAppendedEntriesAndTermChangeMustSync() {
    TestCluster c = loneFollower();
    c.node(2).step(msg(MessageType.MsgAppend, 1, 2, 2).setIndex(3).setLogTerm(1).setCommit(3)
        .addEntries(entry(4, 2, "x")).build());
    Ready rd = c.handleReady(2);
    assertThat(rd.entries()).containsExactly(entry(4, 2, "x"));
    assertThat(rd.hardState().getTerm()).isEqualTo(2);
    assertThat(rd.mustSync()).isTrue();
    assertThat(rd.softState()).isEqualTo(new SoftState(1, StateType.FOLLOWER));
    assertThat(c.node(2).hasReady()).isFalse();
  }

  @Test
  void commitOnlyChangeDoesNotRequireSync() {
    TestCluster c = followerWithEntry();
    c.node(2).step(msg(MessageType.MsgHeartbeat, 1, 2, 2).setCommit(4).build());
    Ready rd = c.handleReady(2);
    assertThat(rd.hardState().getCommit()).isEqualTo(4);
    assertThat(rd.hardState().getTerm()).isEqualTo(2);
    assertThat(rd.entries()).isEmpty();
    assertThat(rd.committedEntries()).containsExactly(entry(4, 2, "x"));
    assertThat(rd.mustSync()).isFalse();
  }

  @Test
  void softStateIsNullWhenUnchanged() {
    TestCluster c = followerWithEntry();
    c.node(2).step(msg(MessageType.MsgHeartbeat, 1, 2, 2).setCommit(4).build());
    Ready rd = c.handleReady(2);
    assertThat(rd.softState()).isNull();
  }

  @Test
  void hardStateIsDefaultInstanceWhenUnchanged() {
    TestCluster c = followerWithEntry();
    // a heartbeat that changes nothing but must be answered
    c.node(2).step(msg(MessageType.MsgHeartbeat, 1, 2, 2).setCommit(3).build());
    Ready rd = c.handleReady(2);
    assertThat(ofTypeTo(rd.messages(), MessageType.MsgHeartbeatResponse, 1)).hasSize(1);
    assertThat(rd.hardState()).isEqualTo(HardState.getDefaultInstance());
    assertThat(rd.softState()).isNull();
    assertThat(rd.entries()).isEmpty();
    assertThat(rd.mustSync()).isFalse();
  }

  @Test
  void snapshotIsDefaultInstanceWhenNone() {
    TestCluster c = followerWithEntry();
    c.node(2).step(msg(MessageType.MsgHeartbeat, 1, 2, 2).setCommit(4).build());
    Ready rd = c.handleReady(2);
    assertThat(rd.snapshot()).isEqualTo(Snapshot.getDefaultInstance());
    assertThat(rd.readStates()).isEmpty();
  }

  @Test
  void voteChangeAloneRequiresSync() {
    TestCluster c = loneFollower();
    c.node(2).step(msg(MessageType.MsgRequestVote, 3, 2, 2).setIndex(3).setLogTerm(1).build());
    Ready rd = c.handleReady(2);
    assertThat(rd.entries()).isEmpty();
    assertThat(rd.hardState().getVote()).isEqualTo(3);
    assertThat(rd.mustSync()).isTrue();
  }

  @Test
  void softStateReportsRoleAndLeaderChanges() {
    TestCluster c = TestCluster.ofVoters(3);
    c.node(1).campaign();
    Ready rd = c.handleReady(1);
    assertThat(rd.softState()).isEqualTo(new SoftState(0, StateType.CANDIDATE));
    c.stabilize();
    List<Ready> readies = c.member(1).readies;
    assertThat(readies).anySatisfy(r -> assertThat(r.softState()).isEqualTo(new SoftState(1, StateType.LEADER)));
    assertThat(c.member(2).readies).anySatisfy(
        r -> assertThat(r.softState()).isEqualTo(new SoftState(1, StateType.FOLLOWER)));
  }

  @Test
  void proposalMadeBetweenReadyAndAdvanceIsNotLost() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "first");
    RawNode n = c.node(1);
    Ready rd = n.ready();
    n.propose(TestCluster.bytes("second"));
    n.tick();
    c.storage(1).append(rd.entries());
    if (!rd.hardState().equals(HardState.getDefaultInstance())) {
      c.storage(1).setHardState(rd.hardState());
    }
    for (var m : rd.messages()) {
      c.send(m);
    }
    n.advance(rd);
    c.stabilize();
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).containsExactly("first", "second");
    }
    c.assertLogsMatchLeader(1);
  }

  @Test
  void messagesReceivedBetweenReadyAndAdvanceAreNotLost() {
    TestCluster c = loneFollower();
    RawNode n = c.node(2);
    n.step(msg(MessageType.MsgAppend, 1, 2, 2).setIndex(3).setLogTerm(1).setCommit(3)
        .addEntries(entry(4, 2, "x")).build());
    Ready rd = n.ready();
    n.step(msg(MessageType.MsgAppend, 1, 2, 2).setIndex(4).setLogTerm(2).setCommit(4)
        .addEntries(entry(5, 2, "y")).build());
    c.storage(2).append(rd.entries());
    c.storage(2).setHardState(rd.hardState());
    n.advance(rd);
    Ready rd2 = c.handleReady(2);
    assertThat(rd2).isNotNull();
    assertThat(rd2.entries()).containsExactly(entry(5, 2, "y"));
    assertThat(rd2.committedEntries()).containsExactly(entry(4, 2, "x"));
    assertThat(c.storage(2).lastIndex()).isEqualTo(5);
  }

  @Test
  void committedEntriesAreHandedOutOnlyOnce() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "once");
    c.stabilize();
    c.tickAllAndStabilize(5);
    long count = c.member(2).readies.stream().flatMap(r -> r.committedEntries().stream())
        .filter(e -> e.getData().toStringUtf8().equals("once")).count();
    assertThat(count).isEqualTo(1);
  }

  @Test
  void statusProgressIsEmptyOnFollowersAndCandidates() {
    TestCluster c = TestCluster.ofVoters(3);
    assertThat(c.status(1).progress()).isNotNull().isEmpty();
    c.node(1).campaign();
    c.handleAllReady(1);
    assertThat(c.state(1)).isEqualTo(StateType.CANDIDATE);
    assertThat(c.status(1).progress()).isNotNull().isEmpty();
    c.stabilize();
    assertThat(c.status(2).progress()).isNotNull().isEmpty();
    assertThat(c.status(1).progress()).containsKeys(2L, 3L);
  }

  @Test
  void statusReportsIdAppliedAndHardState() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "v");
    c.stabilize();
    Status st = c.status(2);
    assertThat(st.id()).isEqualTo(2);
    assertThat(st.applied()).isEqualTo(c.member(2).appliedIndex);
    assertThat(st.hardState()).isEqualTo(c.storage(2).initialState().hardState());
    assertThat(st.softState()).isEqualTo(new SoftState(1, StateType.FOLLOWER));
  }

  @Test
  void statusProgressIsACopy() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    Status before = c.status(1);
    long matchBefore = before.progress().get(2L).match();
    c.propose(1, "v");
    c.stabilize();
    assertThat(before.progress().get(2L).match()).isEqualTo(matchBefore);
    assertThat(c.progress(1, 2).match()).isGreaterThan(matchBefore);
  }

  @Test
  void leaderTracksFollowerMatchAndNext() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "v");
    c.stabilize();
    long last = c.storage(1).lastIndex();
    for (long f : List.of(2L, 3L)) {
      assertThat(c.progress(1, f).match()).isEqualTo(last);
      assertThat(c.progress(1, f).next()).isEqualTo(last + 1);
    }
  }
}
