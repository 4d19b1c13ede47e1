package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.bytes;
import static io.raftkv.raft.TestCluster.entry;
import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofType;
import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Snapshots and compaction: sending MsgSnapshot to a lagging follower, reportSnapshot, restoring, stale snapshots. */
class SnapshotTest {

  private static final ConfState VOTERS_123 = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();

  /**
   * Leader 1; follower 3 missed entries which the leader then compacted away (snapshot at its applied
   * index). The MsgSnapshot to 3 is held. Returns the snapshot index.
   */
  private static long laggingFollowerNeedsSnapshot(TestCluster c) {
    c.elect(1);
    c.isolate(3);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "v" + i);
    }
    c.stabilize();
    long applied = c.member(1).appliedIndex;
    assertThat(applied).isEqualTo(c.storage(1).lastIndex());
    c.storage(1).createSnapshot(applied, c.member(1).confState, bytes("snap@" + applied));
    c.storage(1).compact(applied);
    c.heal();
    c.holdIf(m -> m.getMsgType() == MessageType.MsgSnapshot);
    for (int i = 0; i < 5 && c.held.isEmpty(); i++) {
      c.tickAll();
      c.stabilize();
    }
    assertThat(c.held).as("a MsgSnapshot to 3").isNotEmpty();
    return applied;
  }

  @Test
  void followerWhoseNextEntryWasCompactedReceivesSnapshot() {
    TestCluster c = TestCluster.ofVoters(3);
    long snapIndex = laggingFollowerNeedsSnapshot(c);
    Message m = c.held.get(0);
    assertThat(m.getTo()).isEqualTo(3);
    assertThat(m.getFrom()).isEqualTo(1);
    assertThat(m.getSnapshot().getMetadata().getIndex()).isEqualTo(snapIndex);
    assertThat(m.getSnapshot().getData()).isEqualTo(bytes("snap@" + snapIndex));
    assertThat(m.getSnapshot().getMetadata().getConfState().getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(c.progress(1, 3).state()).isEqualTo(ProgressState.SNAPSHOT);
  }

  @Test
  void leaderDoesNotSendAppendsWhileFollowerIsInSnapshotState() {
    TestCluster c = TestCluster.ofVoters(3);
    laggingFollowerNeedsSnapshot(c);
    c.sent.clear();
    c.propose(1, "during");
    c.stabilize();
    assertThat(ofTypeTo(c.sent, MessageType.MsgAppend, 3)).isEmpty();
  }

  @Test
  void reportSnapshotFailureMovesFollowerToProbe() {
    TestCluster c = TestCluster.ofVoters(3);
    laggingFollowerNeedsSnapshot(c);
    c.node(1).reportSnapshot(3, SnapshotStatus.FAILURE);
    assertThat(c.progress(1, 3).state()).isEqualTo(ProgressState.PROBE);
  }

  @Test
  void reportSnapshotFinishMovesFollowerToProbeAfterSnapshotIndex() {
    TestCluster c = TestCluster.ofVoters(3);
    long snapIndex = laggingFollowerNeedsSnapshot(c);
    c.node(1).reportSnapshot(3, SnapshotStatus.FINISH);
    Progress p = c.progress(1, 3);
    assertThat(p.state()).isEqualTo(ProgressState.PROBE);
    assertThat(p.next()).isEqualTo(snapIndex + 1);
  }

  @Test
  void reportSnapshotIsIgnoredOnNonLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(2).reportSnapshot(3, SnapshotStatus.FINISH);
    c.node(2).reportSnapshot(1, SnapshotStatus.FAILURE);
    assertThat(c.status(2).progress()).isEmpty();
    c.assertStillWorks("ok");
  }

  @Test
  void snapshotFailureIsRetriedAndFollowerEventuallyCatchesUp() {
    TestCluster c = TestCluster.ofVoters(3);
    laggingFollowerNeedsSnapshot(c);
    c.discardHeld();
    c.clearHolds();
    c.node(1).reportSnapshot(3, SnapshotStatus.FAILURE);
    c.tickAllAndStabilize(5);
    assertThat(c.member(3).snapshotsReceived).hasSize(1);
    c.assertLogsMatchLeader(1);
    assertThat(c.progress(1, 3).state()).isEqualTo(ProgressState.REPLICATE);
  }

  @Test
  void followerRestoresFromSnapshotAndCatchesUp() {
    TestCluster c = TestCluster.ofVoters(3);
    long snapIndex = laggingFollowerNeedsSnapshot(c);
    c.releaseHeld();
    c.stabilize();
    TestCluster.Member f = c.member(3);
    assertThat(f.snapshotsReceived).hasSize(1);
    Snapshot got = f.snapshotsReceived.get(0);
    assertThat(got.getMetadata().getIndex()).isEqualTo(snapIndex);
    assertThat(got.getData()).isEqualTo(bytes("snap@" + snapIndex));
    assertThat(c.commit(3)).isGreaterThanOrEqualTo(snapIndex);
    assertThat(c.storage(3).firstIndex()).isEqualTo(snapIndex + 1);
    assertThat(c.storage(3).initialState().confState().getVotersList()).containsExactlyInAnyOrder(1L, 2L, 3L);
    c.node(1).reportSnapshot(3, SnapshotStatus.FINISH);
    c.propose(1, "after");
    c.stabilize();
    c.tickAllAndStabilize(2);
    c.assertLogsMatchLeader(1);
    assertThat(c.appliedData(3)).containsExactly("after");
    assertThat(c.progress(1, 3).state()).isEqualTo(ProgressState.REPLICATE);
  }

  /** Node 2 of {1,2,3}, bootstrapped (log 1..3, commit 3). */
  private static TestCluster loneFollower() {
    TestCluster c = TestCluster.empty(b -> {});
    c.addBootstrapped(2, List.of(1L, 2L, 3L), List.of());
    c.handleAllReady(2);
    return c;
  }

  private static Snapshot snap(long index, long term) {
    return Snapshot.newBuilder().setData(bytes("s" + index))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term).setConfState(VOTERS_123)).build();
  }

  @Test
  void followerRestoresMsgSnapshotInReadyAndCommitsThroughItsIndex() {
    TestCluster c = loneFollower();
    Snapshot s = snap(10, 2);
    c.node(2).step(msg(MessageType.MsgSnapshot, 1, 2, 2).setSnapshot(s).build());
    Ready rd = c.handleReady(2);
    assertThat(rd.snapshot()).isEqualTo(s);
    assertThat(rd.hardState().getCommit()).isEqualTo(10);
    assertThat(rd.mustSync()).isTrue();
    List<Message> resp = ofTypeTo(rd.messages(), MessageType.MsgAppendResponse, 1);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isFalse();
    assertThat(resp.get(0).getIndex()).isEqualTo(10);
    assertThat(c.commit(2)).isEqualTo(10);
    assertThat(c.status(2).applied()).isEqualTo(10);
    // it goes on from the snapshot
    c.node(2).step(msg(MessageType.MsgAppend, 1, 2, 2).setIndex(10).setLogTerm(2).setCommit(11)
        .addEntries(entry(11, 2, "next")).build());
    Ready rd2 = c.handleReady(2);
    assertThat(rd2.entries()).containsExactly(entry(11, 2, "next"));
    assertThat(rd2.committedEntries()).containsExactly(entry(11, 2, "next"));
  }

  @Test
  void snapshotAndFollowingEntriesInOneReadyAreBothHandedOut() {
    TestCluster c = loneFollower();
    Snapshot s = snap(10, 2);
    c.node(2).step(msg(MessageType.MsgSnapshot, 1, 2, 2).setSnapshot(s).build());
    c.node(2).step(msg(MessageType.MsgAppend, 1, 2, 2).setIndex(10).setLogTerm(2).setCommit(12)
        .addEntries(entry(11, 2, "a")).addEntries(entry(12, 2, "b")).build());
    List<Ready> rds = c.handleAllReady(2);
    assertThat(rds.get(0).snapshot()).isEqualTo(s);
    assertThat(c.storage(2).lastIndex()).isEqualTo(12);
    assertThat(c.commit(2)).isEqualTo(12);
    assertThat(c.appliedData(2)).containsExactly("a", "b");
    assertThat(c.status(2).applied()).isEqualTo(12);
  }

  @Test
  void nodeIgnoresSnapshotOlderThanItsCommit() {
    TestCluster c = loneFollower();
    c.node(2).step(msg(MessageType.MsgAppend, 1, 2, 2).setIndex(3).setLogTerm(1).setCommit(5)
        .addEntries(entry(4, 2, "a")).addEntries(entry(5, 2, "b")).build());
    c.handleAllReady(2);
    assertThat(c.commit(2)).isEqualTo(5);
    List<Entry> before = c.storedEntries(2);
    c.node(2).step(msg(MessageType.MsgSnapshot, 1, 2, 2).setSnapshot(snap(4, 2)).build());
    List<Ready> rds = c.handleAllReady(2);
    assertThat(rds).allSatisfy(r -> assertThat(r.snapshot()).isEqualTo(Snapshot.getDefaultInstance()));
    assertThat(c.commit(2)).isEqualTo(5);
    assertThat(c.storedEntries(2)).isEqualTo(before);
    // it tells the leader where it is
    List<Message> resp = rds.stream().flatMap(r -> ofType(r.messages(), MessageType.MsgAppendResponse).stream())
        .toList();
    assertThat(resp).allSatisfy(m -> assertThat(m.getIndex()).isGreaterThanOrEqualTo(5));
    // also one whose last entry does not match the log (it could only come from a confused sender)
    c.node(2).step(msg(MessageType.MsgSnapshot, 1, 2, 2).setSnapshot(snap(4, 1)).build());
    assertThat(c.handleAllReady(2))
        .allSatisfy(r -> assertThat(r.snapshot()).isEqualTo(Snapshot.getDefaultInstance()));
    assertThat(c.commit(2)).isEqualTo(5);
    assertThat(c.storedEntries(2)).isEqualTo(before);
  }

  @Test
  void nodeIgnoresSnapshotEqualToItsCommit() {
    TestCluster c = loneFollower();
    c.node(2).step(msg(MessageType.MsgSnapshot, 1, 2, 2).setSnapshot(snap(3, 1)).build());
    List<Ready> rds = c.handleAllReady(2);
    assertThat(rds).allSatisfy(r -> assertThat(r.snapshot()).isEqualTo(Snapshot.getDefaultInstance()));
    assertThat(c.storage(2).lastIndex()).isEqualTo(3);
  }

  @Test
  void snapshotFromStaleTermIsIgnored() {
    TestCluster c = loneFollower();
    c.node(2).step(msg(MessageType.MsgHeartbeat, 1, 2, 5).setCommit(3).build());
    c.handleAllReady(2);
    c.node(2).step(msg(MessageType.MsgSnapshot, 3, 2, 4).setSnapshot(snap(20, 4)).build());
    List<Ready> rds = c.handleAllReady(2);
    assertThat(rds).allSatisfy(r -> assertThat(r.snapshot()).isEqualTo(Snapshot.getDefaultInstance()));
    assertThat(c.commit(2)).isEqualTo(3);
    assertThat(c.term(2)).isEqualTo(5);
  }

  @Test
  void leaderSendsLatestStorageSnapshotAfterRepeatedCompaction() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(3);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 3; i++) {
        c.propose(1, "r" + round + "-" + i);
      }
      c.stabilize();
      long applied = c.member(1).appliedIndex;
      c.storage(1).createSnapshot(applied, c.member(1).confState, bytes("snap@" + applied));
      c.storage(1).compact(applied);
    }
    long last = c.member(1).appliedIndex;
    c.heal();
    c.tickAllAndStabilize(5);
    assertThat(c.member(3).snapshotsReceived).extracting(s -> s.getMetadata().getIndex()).containsExactly(last);
    c.assertLogsMatchLeader(1);
    c.assertStillWorks("after-compactions");
  }

  @Test
  void compactedLeaderStillServesFollowersThatAreCaughtUp() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.stabilize();
    long applied = c.member(1).appliedIndex;
    c.storage(1).createSnapshot(applied, c.member(1).confState, bytes("x"));
    c.storage(1).compact(applied);
    c.propose(1, "b");
    c.stabilize();
    assertThat(c.member(2).snapshotsReceived).isEmpty();
    assertThat(c.appliedData(2)).containsExactly("a", "b");
  }

  /** A Storage view whose snapshot() is temporarily unavailable while {@code busy} is set. */
  private static final class BusySnapshotStorage implements Storage {
    private final MemoryStorage delegate;
    boolean busy = true;
    int refusals;

    BusySnapshotStorage(MemoryStorage delegate) {
      this.delegate = delegate;
    }

    @Override
    public InitialState initialState() {
      return delegate.initialState();
    }

    @Override
    public List<Entry> entries(long lo, long hi, long maxSize) {
      return delegate.entries(lo, hi, maxSize);
    }

    @Override
    public long term(long index) {
      return delegate.term(index);
    }

    @Override
    public long firstIndex() {
      return delegate.firstIndex();
    }

    @Override
    public long lastIndex() {
      return delegate.lastIndex();
    }

    @Override
    public Snapshot snapshot() {
      if (busy) {
        refusals++;
        throw new SnapshotTemporarilyUnavailableException("building");
      }
      return delegate.snapshot();
    }
  }

  @Test
  void leaderRetriesWhenSnapshotIsTemporarilyUnavailable() {
    TestCluster c = TestCluster.empty(b -> {});
    java.util.Map<Long, BusySnapshotStorage> views = new java.util.HashMap<>();
    c.storageView = s -> {
      BusySnapshotStorage v = new BusySnapshotStorage(s);
      views.put((long) views.size() + 1, v);
      return v;
    };
    for (long id = 1; id <= 3; id++) {
      c.addBootstrapped(id, List.of(1L, 2L, 3L), List.of());
    }
    c.stabilize();
    c.elect(1);
    c.isolate(3);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "v" + i);
    }
    c.stabilize();
    long applied = c.member(1).appliedIndex;
    c.storage(1).createSnapshot(applied, c.member(1).confState, bytes("snap"));
    c.storage(1).compact(applied);
    c.heal();
    // the storage cannot hand out the snapshot yet: nothing may throw, and 3 is not in SNAPSHOT state for good
    c.tickAllAndStabilize(5);
    assertThat(views.get(1L).refusals).as("the leader asked for the snapshot").isPositive();
    assertThat(c.member(3).snapshotsReceived).isEmpty();
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    views.get(1L).busy = false;
    c.tickAllAndStabilize(5);
    assertThat(c.member(3).snapshotsReceived).hasSize(1);
    c.assertLogsMatchLeader(1);
  }

  @Test
  void restartedLeaderFromCompactedStorageKeepsWorking() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.stabilize();
    for (long id : c.ids()) {
      long applied = c.member(id).appliedIndex;
      c.storage(id).createSnapshot(applied, c.member(id).confState, bytes("x"));
      c.storage(id).compact(applied);
      c.restart(id);
    }
    c.stabilize();
    c.assertStillWorks("after-restart");
  }
}
