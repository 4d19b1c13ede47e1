package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.addNode;
import static io.raftkv.raft.TestCluster.confEntry;
import static io.raftkv.raft.TestCluster.entry;
import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofType;
import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bootstrap of a brand-new group and restart of a node from its storage (hard state, entries, snapshot). */
class BootstrapTest {

  private static final ConfState VOTERS_123 = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();

  private static RaftConfig.Builder config(long id, MemoryStorage s) {
    return RaftConfig.builder().id(id).storage(s).electionTick(10).heartbeatTick(1).randomSeed(id);
  }

  @Test
  void brandNewNodeFirstReadyCarriesBootstrapConfChangesCommittedAtTermOne() {
    MemoryStorage s = new MemoryStorage();
    RawNode n = new RawNode(config(1, s).peers(List.of(1L, 2L, 3L)).build());
    assertThat(n.hasReady()).isTrue();
    Ready rd = n.ready();
    assertThat(rd.entries()).hasSize(3);
    List<Long> nodeIds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Entry e = rd.entries().get(i);
      assertThat(e.getIndex()).isEqualTo(i + 1);
      assertThat(e.getTerm()).isEqualTo(1);
      assertThat(e.getEntryType()).isEqualTo(EntryType.EntryConfChange);
      ConfChange cc = TestCluster.parseConfChange(e.getData());
      assertThat(cc.getChangeType()).isEqualTo(ConfChangeType.AddNode);
      nodeIds.add(cc.getNodeId());
    }
    assertThat(nodeIds).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(rd.committedEntries()).isEqualTo(rd.entries());
    assertThat(rd.hardState().getTerm()).isEqualTo(1);
    assertThat(rd.hardState().getCommit()).isEqualTo(3);
    assertThat(rd.hardState().getVote()).isZero();
    assertThat(rd.mustSync()).isTrue();
    assertThat(rd.snapshot()).isEqualTo(Snapshot.getDefaultInstance());
  }

  @Test
  void brandNewNodeBootstrapsLearnersWithAddLearnerNode() {
    MemoryStorage s = new MemoryStorage();
    RawNode n = new RawNode(config(1, s).peers(List.of(1L, 2L)).learners(List.of(3L)).build());
    Ready rd = n.ready();
    assertThat(rd.entries()).hasSize(3);
    assertThat(rd.entries()).extracting(Entry::getIndex).containsExactly(1L, 2L, 3L);
    List<String> changes = new ArrayList<>();
    for (Entry e : rd.entries()) {
      ConfChange cc = TestCluster.parseConfChange(e.getData());
      changes.add(cc.getChangeType() + ":" + cc.getNodeId());
    }
    assertThat(changes).containsExactlyInAnyOrder("AddNode:1", "AddNode:2", "AddLearnerNode:3");
    assertThat(rd.hardState().getCommit()).isEqualTo(3);
  }

  @Test
  void brandNewNodeTakesBootstrapMembershipAtOnce() {
    MemoryStorage s = new MemoryStorage();
    RawNode n = new RawNode(config(1, s).peers(List.of(1L, 2L, 3L)).build());
    Ready rd = n.ready();
    s.append(rd.entries());
    s.setHardState(rd.hardState());
    // applyConfChange deliberately not called: the membership is in effect from birth
    n.advance(rd);
    n.campaign();
    Ready rd2 = n.ready();
    assertThat(ofType(rd2.messages(), MessageType.MsgRequestVote)).extracting(Message::getTo)
        .containsExactlyInAnyOrder(2L, 3L);
  }

  @Test
  void applyingBootstrapEntriesYieldsTheFoundingConfState() {
    TestCluster c = TestCluster.of(List.of(1L, 2L), List.of(3L), b -> {});
    for (long id : c.ids()) {
      ConfState cs = c.member(id).confState;
      assertThat(cs.getVotersList()).containsExactlyInAnyOrder(1L, 2L);
      assertThat(cs.getLearnersList()).containsExactly(3L);
      assertThat(c.storage(id).initialState().confState()).isEqualTo(cs);
      assertThat(c.status(id).applied()).isEqualTo(3);
    }
  }

  /** Storage of a node that had log 1..3 (bootstrap), 4 (t2, empty), 5 "a", 6 "b" (t2), commit 6. */
  private static MemoryStorage restartedStorage() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(confEntry(1, 1, addNode(1)), confEntry(2, 1, addNode(2)), confEntry(3, 1, addNode(3)),
        entry(4, 2), entry(5, 2, "a"), entry(6, 2, "b")));
    s.setHardState(HardState.newBuilder().setTerm(2).setVote(1).setCommit(6).build());
    s.setConfState(VOTERS_123);
    return s;
  }

  @Test
  void restartedNodeTakesMembershipFromStorageConfState() {
    MemoryStorage s = restartedStorage();
    RawNode n = new RawNode(config(2, s).applied(6).build());
    n.campaign();
    Ready rd = n.ready();
    List<Message> reqs = ofType(rd.messages(), MessageType.MsgRequestVote);
    assertThat(reqs).extracting(Message::getTo).containsExactlyInAnyOrder(1L, 3L);
    assertThat(reqs).allSatisfy(m -> {
      assertThat(m.getTerm()).isEqualTo(3);
      assertThat(m.getIndex()).isEqualTo(6);
      assertThat(m.getLogTerm()).isEqualTo(2);
    });
  }

  @Test
  void restartedNodeResumesHardState() {
    MemoryStorage s = restartedStorage();
    RawNode n = new RawNode(config(1, s).applied(6).build());
    Status st = n.status();
    assertThat(st.hardState().getTerm()).isEqualTo(2);
    assertThat(st.hardState().getVote()).isEqualTo(1);
    assertThat(st.hardState().getCommit()).isEqualTo(6);
    assertThat(st.softState().raftState()).isEqualTo(StateType.FOLLOWER);
    assertThat(st.applied()).isEqualTo(6);
  }

  @Test
  void restartedNodeHandsOutCommittedEntriesAfterApplied() {
    MemoryStorage s = restartedStorage();
    RawNode n = new RawNode(config(1, s).applied(4).build());
    assertThat(n.hasReady()).isTrue();
    Ready rd = n.ready();
    assertThat(rd.committedEntries()).containsExactly(entry(5, 2, "a"), entry(6, 2, "b"));
    assertThat(rd.entries()).as("already persisted").isEmpty();
    n.advance(rd);
    assertThat(n.hasReady()).isFalse();
    assertThat(n.status().applied()).isEqualTo(6);
  }

  @Test
  void restartedNodeWithAllAppliedHasNothingToApply() {
    MemoryStorage s = restartedStorage();
    RawNode n = new RawNode(config(1, s).applied(6).build());
    if (n.hasReady()) {
      Ready rd = n.ready();
      assertThat(rd.committedEntries()).isEmpty();
      assertThat(rd.entries()).isEmpty();
      n.advance(rd);
    }
    assertThat(n.hasReady()).isFalse();
  }

  @Test
  void restartFromSnapshotAndEntriesResumesAfterSnapshot() {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(Snapshot.newBuilder().setData(TestCluster.bytes("sm"))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(5).setTerm(2).setConfState(VOTERS_123)).build());
    s.append(List.of(entry(6, 2, "x"), entry(7, 2, "y")));
    s.setHardState(HardState.newBuilder().setTerm(2).setCommit(7).build());
    RawNode n = new RawNode(config(1, s).applied(5).build());
    Ready rd = n.ready();
    assertThat(rd.committedEntries()).containsExactly(entry(6, 2, "x"), entry(7, 2, "y"));
    assertThat(rd.snapshot()).as("the snapshot is already persisted").isEqualTo(Snapshot.getDefaultInstance());
    n.advance(rd);
    assertThat(n.status().hardState().getCommit()).isEqualTo(7);
    n.campaign();
    List<Message> reqs = ofType(n.ready().messages(), MessageType.MsgRequestVote);
    assertThat(reqs).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L);
    assertThat(reqs).allSatisfy(m -> {
      assertThat(m.getIndex()).isEqualTo(7);
      assertThat(m.getLogTerm()).isEqualTo(2);
    });
  }

  @Test
  void restartWithAppliedBelowSnapshotHandsOutEntriesAfterSnapshot() {
    MemoryStorage s = new MemoryStorage();
    s.applySnapshot(Snapshot.newBuilder().setData(TestCluster.bytes("sm"))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(5).setTerm(2).setConfState(VOTERS_123)).build());
    s.append(List.of(entry(6, 2, "x"), entry(7, 2, "y")));
    s.setHardState(HardState.newBuilder().setTerm(2).setCommit(7).build());
    RawNode n = new RawNode(config(1, s).build());
    Ready rd = n.ready();
    assertThat(rd.committedEntries()).containsExactly(entry(6, 2, "x"), entry(7, 2, "y"));
    n.advance(rd);
    assertThat(n.status().applied()).isEqualTo(7);
  }

  @Test
  void restartFromSnapshotOnlyKnowsSnapshotMembership() {
    MemoryStorage s = new MemoryStorage();
    ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(4).addLearners(5).build();
    s.applySnapshot(Snapshot.newBuilder()
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(9).setTerm(3).setConfState(cs)).build());
    s.setHardState(HardState.newBuilder().setTerm(3).setCommit(9).build());
    RawNode n = new RawNode(config(1, s).applied(9).build());
    if (n.hasReady()) {
      n.advance(n.ready());
    }
    n.campaign();
    List<Message> reqs = ofType(n.ready().messages(), MessageType.MsgRequestVote);
    assertThat(reqs).extracting(Message::getTo).containsExactly(4L);
    assertThat(reqs.get(0).getIndex()).isEqualTo(9);
    assertThat(reqs.get(0).getLogTerm()).isEqualTo(3);
  }

  @Test
  void restartedClusterKeepsWorkingAndDoesNotReapplyEntries() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "before");
    c.stabilize();
    for (long id : c.ids()) {
      c.restart(id);
    }
    c.stabilize();
    for (long id : c.ids()) {
      assertThat(c.status(id).hardState().getCommit()).isEqualTo(c.storage(id).initialState().hardState().getCommit());
    }
    long l = c.awaitStableLeader();
    c.propose(l, "after");
    c.stabilize();
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).containsExactly("before", "after");
    }
    c.assertStateMachineSafety();
  }

  @Test
  void restartedFollowerReappliesCommittedButUnappliedEntries() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.propose(1, "b");
    c.stabilize();
    TestCluster.Member m = c.member(2);
    long lastApplied = m.appliedIndex;
    // the application crashed having applied only up to 4 (the leader's empty entry)
    m.appliedIndex = 4;
    m.applied.tailMap(4L, false).clear();
    c.restart(2);
    Ready rd = c.handleReady(2);
    assertThat(rd.committedEntries()).extracting(e -> e.getData().toStringUtf8()).containsExactly("a", "b");
    assertThat(m.appliedIndex).isEqualTo(lastApplied);
  }

  @Test
  void nodeRestartedWithEmptyConfStateStillAnswersLeader() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(confEntry(1, 1, addNode(1)), confEntry(2, 1, addNode(2)), confEntry(3, 1, addNode(3))));
    s.setHardState(HardState.newBuilder().setTerm(1).setCommit(0).build());
    RawNode n = new RawNode(config(3, s).build());
    n.step(msg(MessageType.MsgAppend, 1, 3, 2).setIndex(3).setLogTerm(1).setCommit(4)
        .addEntries(entry(4, 2)).build());
    Ready rd = n.ready();
    assertThat(rd.entries()).containsExactly(entry(4, 2));
    List<Message> resp = ofTypeTo(rd.messages(), MessageType.MsgAppendResponse, 1);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isFalse();
    assertThat(resp.get(0).getIndex()).isEqualTo(4);
  }

  @Test
  void restartedNodeWithEmptyConfStateNeverCampaigns() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(confEntry(1, 1, addNode(1)), confEntry(2, 1, addNode(2)), confEntry(3, 1, addNode(3))));
    s.setHardState(HardState.newBuilder().setTerm(1).build());
    RawNode n = new RawNode(config(1, s).build());
    for (int i = 0; i < 100; i++) {
      n.tick();
      if (n.hasReady()) {
        Ready rd = n.ready();
        assertThat(ofType(rd.messages(), MessageType.MsgRequestVote)).isEmpty();
        assertThat(ofType(rd.messages(), MessageType.MsgRequestPreVote)).isEmpty();
        n.advance(rd);
      }
    }
    assertThat(n.status().softState().raftState()).isEqualTo(StateType.FOLLOWER);
    assertThat(n.status().hardState().getTerm()).isEqualTo(1);
  }

  @Test
  void learnerBootstrapConfChangeMakesLearnerAware() {
    MemoryStorage s = new MemoryStorage();
    RawNode n = new RawNode(config(3, s).peers(List.of(1L, 2L)).learners(List.of(3L)).build());
    Ready rd = n.ready();
    s.append(rd.entries());
    s.setHardState(rd.hardState());
    ConfState cs = null;
    for (Entry e : rd.committedEntries()) {
      cs = n.applyConfChange(TestCluster.parseConfChange(e.getData()));
    }
    n.advance(rd);
    assertThat(cs.getLearnersList()).containsExactly(3L);
    for (int i = 0; i < 100; i++) {
      n.tick();
      if (n.hasReady()) {
        Ready r = n.ready();
        assertThat(ofType(r.messages(), MessageType.MsgRequestVote)).as("learner never campaigns").isEmpty();
        n.advance(r);
      }
    }
  }
}
