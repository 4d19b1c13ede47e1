package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.bytes;
import static io.raftkv.raft.TestCluster.entry;
import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Bad input to step(): local types are refused; unknown peers, stale terms and garbage never throw or corrupt. */
class BadInputTest {

  private static final Set<MessageType> LOCAL = EnumSet.of(MessageType.MsgHup, MessageType.MsgBeat,
      MessageType.MsgUnreachable, MessageType.MsgSnapStatus, MessageType.MsgCheckQuorum);

  private static List<MessageType> wireTypes() {
    List<MessageType> out = new ArrayList<>();
    for (MessageType t : MessageType.values()) {
      if (t != MessageType.UNRECOGNIZED && !LOCAL.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  /** Steps {@code m}; a ProposalDroppedException is fine only for something that is a proposal or forwarded. */
  private static void stepTolerant(RawNode n, Message m) {
    try {
      n.step(m);
    } catch (ProposalDroppedException e) {
      assertThat(m.getMsgType()).as("ProposalDroppedException from a %s", m.getMsgType())
          .isIn(MessageType.MsgPropose, MessageType.MsgReadIndex, MessageType.MsgTransferLeader);
    }
  }

  @ParameterizedTest
  @EnumSource(value = MessageType.class,
      names = {"MsgHup", "MsgBeat", "MsgUnreachable", "MsgSnapStatus", "MsgCheckQuorum"})
  void stepWithLocalMessageTypeThrowsIllegalArgument(MessageType type) {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    for (long id : c.ids()) {
      long other = id == 1 ? 2 : 1;
      assertThatThrownBy(() -> c.node(id).step(msg(type, other, id, c.term(id)).build()))
          .as("%s on node %d", type, id).isInstanceOf(IllegalArgumentException.class);
    }
    c.assertStillWorks("after-" + type);
    assertThat(c.leader()).isEqualTo(1);
  }

  @Test
  void messagesFromUnknownPeerNeverThrow() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    for (MessageType t : wireTypes()) {
      for (long id : c.ids()) {
        long term = c.term(id);
        for (long tm : new long[] {term - 1, term, 0}) {
          Message.Builder b = msg(t, 99, id, tm);
          if (t == MessageType.MsgPropose) {
            b.addEntries(Entry.newBuilder().setData(bytes("from-99")));
          }
          stepTolerant(c.node(id), b.build());
          c.stabilize();
        }
      }
    }
    c.assertStillWorks("after-unknown-peer");
  }

  @Test
  void messagesFromUnknownPeerWithHigherTermDoNotBreakCluster() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    for (MessageType t : wireTypes()) {
      if (t == MessageType.MsgAppend || t == MessageType.MsgSnapshot || t == MessageType.MsgHeartbeat) {
        continue; // a leader claim from a stranger in a new term is legitimately followed
      }
      for (long id : c.ids()) {
        stepTolerant(c.node(id), msg(t, 99, id, c.term(id) + 1).build());
        c.stabilize();
      }
    }
    c.assertStillWorks("after-unknown-peer-higher-term");
  }

  @Test
  void staleTermMessagesAreIgnored() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.elect(2);
    c.elect(1);
    c.propose(1, "a");
    c.stabilize();
    long term = c.term(1);
    assertThat(term).isGreaterThanOrEqualTo(4);
    Map<Long, List<Entry>> logs = new java.util.HashMap<>();
    for (long id : c.ids()) {
      logs.put(id, c.storedEntries(id));
    }
    long last = c.storage(1).lastIndex();
    for (MessageType t : wireTypes()) {
      if (t == MessageType.MsgPropose || t == MessageType.MsgReadIndex) {
        continue; // local requests carry no term
      }
      for (long id : c.ids()) {
        long from = id == 3 ? 2 : 3;
        Message m = msg(t, from, id, term - 1).setIndex(last + 1).setLogTerm(term - 1).setCommit(last + 1)
            .addEntries(entry(last + 1, term - 1, "stale")).setReject(t == MessageType.MsgRequestVoteResponse)
            .setSnapshot(snapshot(last + 5, term - 1)).build();
        stepTolerant(c.node(id), m);
        c.stabilize();
        assertThat(c.term(id)).as("%s on %d", t, id).isEqualTo(term);
        assertThat(c.leader()).as("%s on %d", t, id).isEqualTo(1);
      }
    }
    for (long id : c.ids()) {
      assertThat(c.storedEntries(id)).as("log of %d", id).isEqualTo(logs.get(id));
      assertThat(c.member(id).snapshotsReceived).isEmpty();
    }
    c.assertStillWorks("after-stale");
  }

  private static Snapshot snapshot(long index, long term) {
    return Snapshot.newBuilder().setData(bytes("garbage"))
        .setMetadata(SnapshotMetadata.newBuilder().setIndex(index).setTerm(term)
            .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3)))
        .build();
  }

  @Test
  void appendReferencingIndexesFarBeyondLogIsRejectedWithHintAtOrBelowLastIndex() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(2);
    long last = c.storage(2).lastIndex();
    long commit = c.commit(2);
    c.node(2).step(msg(MessageType.MsgAppend, 1, 2, term).setIndex(last + 1000).setLogTerm(term)
        .setCommit(last + 1001).addEntries(entry(last + 1001, term, "far")).build());
    c.holdIf(m -> true);
    Ready rd = c.handleReady(2);
    c.discardHeld();
    c.clearHolds();
    List<Message> resp = ofTypeTo(rd.messages(), MessageType.MsgAppendResponse, 1);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isTrue();
    assertThat(resp.get(0).getRejectHint()).isLessThanOrEqualTo(last);
    assertThat(c.commit(2)).isEqualTo(commit);
    assertThat(c.storage(2).lastIndex()).isEqualTo(last);
    c.assertStillWorks("after-far-append");
  }

  @Test
  void heartbeatWithCommitBeyondLastIndexDoesNotCommitMissingEntries() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(2);
    long last = c.storage(2).lastIndex();
    for (long commit : new long[] {last + 1000, Long.MAX_VALUE, -1L}) {
      c.node(2).step(msg(MessageType.MsgHeartbeat, 1, 2, term).setCommit(commit).build());
      c.holdIf(m -> true);
      c.handleAllReady(2);
      c.discardHeld();
      c.clearHolds();
      assertThat(c.commit(2)).as("commit %d", commit).isLessThanOrEqualTo(last);
    }
    c.assertStillWorks("after-big-commit");
  }

  @Test
  void appendResponseForIndexLeaderNeverSentDoesNotCorruptLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(1);
    long last = c.storage(1).lastIndex();
    c.node(1).step(msg(MessageType.MsgAppendResponse, 2, 1, term).setIndex(last + 1000).build());
    c.stabilize();
    assertThat(c.commit(1)).isLessThanOrEqualTo(c.storage(1).lastIndex());
    assertThat(c.progress(1, 2).match()).as("match beyond the leader's log").isLessThanOrEqualTo(last);
    c.assertStillWorks("after-bogus-ack");
  }

  @Test
  void appendResponseForIndexNeverSentDoesNotCommitEntryHeldOnlyByLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(1);
    c.isolate(2);
    c.isolate(3);
    c.propose(1, "only-on-leader");
    c.stabilize();
    long last = c.storage(1).lastIndex();
    c.node(1).step(msg(MessageType.MsgAppendResponse, 2, 1, term).setIndex(last + 1000).build());
    c.stabilize();
    assertThat(c.commit(1)).as("nobody but the leader holds entry %d", last).isLessThan(last);
  }

  @Test
  void rejectedAppendResponseWithGarbageHintDoesNotBreakReplication() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(1);
    long last = c.storage(1).lastIndex();
    for (long[] f : new long[][] {{last + 1000, last + 2000}, {last, -1}, {0, 0}, {-1, Long.MAX_VALUE},
        {last, last + 5}}) {
      c.node(1).step(msg(MessageType.MsgAppendResponse, 2, 1, term).setIndex(f[0]).setReject(true)
          .setRejectHint(f[1]).setLogTerm(f[1]).build());
      c.stabilize();
    }
    c.assertStillWorks("after-garbage-hints");
  }

  @Test
  void snapshotMessageWithoutMetadataIsIgnored() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(2);
    long commit = c.commit(2);
    List<Entry> log = c.storedEntries(2);
    c.node(2).step(msg(MessageType.MsgSnapshot, 1, 2, term).build());
    c.node(2).step(msg(MessageType.MsgSnapshot, 1, 2, term).setSnapshot(Snapshot.getDefaultInstance()).build());
    c.node(2).step(msg(MessageType.MsgSnapshot, 1, 2, term)
        .setSnapshot(Snapshot.newBuilder().setData(bytes("no-metadata"))).build());
    c.stabilize();
    assertThat(c.member(2).snapshotsReceived).isEmpty();
    assertThat(c.commit(2)).isEqualTo(commit);
    assertThat(c.storedEntries(2)).isEqualTo(log);
    c.assertStillWorks("after-empty-snapshot");
  }

  @Test
  void appendWithNonConsecutiveEntryIndexesDoesNotCorruptLog() {
    TestCluster c = TestCluster.empty(b -> {});
    c.addBootstrapped(2, List.of(1L, 2L, 3L), List.of());
    c.handleAllReady(2);
    Throwable thrown = null;
    try {
      c.node(2).step(msg(MessageType.MsgAppend, 1, 2, 2).setIndex(3).setLogTerm(1).setCommit(3)
          .addEntries(entry(7, 2, "gap")).addEntries(entry(5, 2, "back")).build());
      c.handleAllReady(2);
    } catch (RuntimeException e) {
      thrown = e;
    }
    assertThat(thrown).as("stepping or persisting a malformed append").isNull();
    assertContiguous(c.storage(2));
    assertThat(c.commit(2)).isLessThanOrEqualTo(c.storage(2).lastIndex());
  }

  @Test
  void appendWithTermZeroDoesNotChangeLog() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long last = c.storage(2).lastIndex();
    long lastTerm = c.storage(2).term(last);
    long commit = c.commit(2);
    List<Entry> log = c.storedEntries(2);
    c.node(2).step(msg(MessageType.MsgAppend, 3, 2, 0).setIndex(last).setLogTerm(lastTerm).setCommit(last + 1)
        .addEntries(entry(last + 1, lastTerm, "term-zero")).build());
    c.holdIf(m -> true);
    c.handleAllReady(2);
    c.discardHeld();
    c.clearHolds();
    assertThat(c.storedEntries(2)).isEqualTo(log);
    assertThat(c.commit(2)).isEqualTo(commit);
    c.assertStillWorks("after-term-zero");
  }

  @Test
  void appendFromLeaderNeverLowersCommit() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.stabilize();
    long commit = c.commit(2);
    long term = c.term(2);
    c.node(2).step(msg(MessageType.MsgAppend, 1, 2, term).setIndex(3).setLogTerm(1).setCommit(1).build());
    c.node(2).step(msg(MessageType.MsgHeartbeat, 1, 2, term).setCommit(0).build());
    c.stabilize();
    assertThat(c.commit(2)).isEqualTo(commit);
  }

  @Test
  void appendRewritingCommittedEntryIsRefused() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "committed");
    c.stabilize();
    long commit = c.commit(2);
    long term = c.term(2);
    c.node(2).step(msg(MessageType.MsgAppend, 1, 2, term + 1).setIndex(commit - 1)
        .setLogTerm(c.storage(2).term(commit - 1)).setCommit(commit)
        .addEntries(entry(commit, term + 1, "rewrite")).build());
    try {
      c.holdIf(m -> true);
      c.handleAllReady(2);
    } finally {
      c.discardHeld();
      c.clearHolds();
    }
    assertThat(c.appliedData(2)).containsExactly("committed");
    assertThat(c.storedEntries(2)).noneMatch(e -> e.getData().toStringUtf8().equals("rewrite"));
  }

  @Test
  void readIndexResponseWithoutContextEntryDoesNotThrow() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(2).step(msg(MessageType.MsgReadIndexResponse, 1, 2, c.term(2)).setIndex(3).build());
    c.node(2).step(msg(MessageType.MsgReadIndexResponse, 1, 2, c.term(2)).setIndex(-1)
        .addEntries(entry(0, 0, "a")).addEntries(entry(0, 0, "b")).build());
    c.stabilize();
    c.assertStillWorks("after-read-index-garbage");
  }

  @Test
  void responsesDeliveredToWrongRoleAreIgnored() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long term = c.term(2);
    for (MessageType t : List.of(MessageType.MsgAppendResponse, MessageType.MsgHeartbeatResponse,
        MessageType.MsgRequestVoteResponse, MessageType.MsgRequestPreVoteResponse,
        MessageType.MsgReadIndexResponse)) {
      stepTolerant(c.node(2), msg(t, 3, 2, term).setIndex(1000).build());
      stepTolerant(c.node(1), msg(MessageType.MsgRequestVoteResponse, 3, 1, term).build());
    }
    c.stabilize();
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.state(2)).isEqualTo(StateType.FOLLOWER);
    c.assertStillWorks("after-wrong-role");
  }

  @Test
  void extremeFieldValuesNeverThrow() {
    long[] values = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40};
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    for (MessageType t : wireTypes()) {
      for (long v : values) {
        for (long id : c.ids()) {
          long from = id == 1 ? 2 : 1;
          long term = c.term(id);
          Message.Builder b = msg(t, from, id, term).setIndex(v).setLogTerm(v).setCommit(v).setRejectHint(v)
              .setReject(v < 0);
          if (t == MessageType.MsgSnapshot) {
            b.setSnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(v).setTerm(v)));
          }
          if (t == MessageType.MsgPropose || t == MessageType.MsgReadIndex || t == MessageType.MsgReadIndexResponse) {
            b.addEntries(Entry.newBuilder().setData(bytes("x")));
          }
          try {
            stepTolerant(c.node(id), b.build());
            c.holdIf(m -> true);
            c.handleAllReady(id);
          } finally {
            c.discardHeld();
            c.clearHolds();
          }
          assertThat(c.commit(id)).as("%s %d on %d", t, v, id).isLessThanOrEqualTo(c.storage(id).lastIndex());
          assertContiguous(c.storage(id));
        }
      }
    }
  }

  @Test
  void randomGarbageMessagesNeverThrowAndKeepInvariants() {
    List<MessageType> types = wireTypes();
    for (long seed = 1; seed <= 8; seed++) {
      Random rnd = new Random(seed);
      TestCluster c = TestCluster.empty(b -> {});
      c.addBootstrapped(1, List.of(1L, 2L, 3L), List.of());
      c.handleAllReady(1);
      long prevTerm = c.term(1);
      long prevCommit = c.commit(1);
      for (int i = 0; i < 1500; i++) {
        RawNode n = c.node(1);
        int action = rnd.nextInt(20);
        if (action == 0) {
          n.tick();
        } else if (action == 1) {
          n.campaign();
        } else if (action == 2) {
          try {
            n.propose(bytes("p" + i));
          } catch (ProposalDroppedException e) {
            // no leader
          }
        } else {
          Message m = garbage(rnd, types.get(rnd.nextInt(types.size())), c);
          String what = "seed " + seed + " step " + i + ": " + m.getMsgType();
          try {
            stepTolerant(n, m);
          } catch (RuntimeException e) {
            throw new AssertionError(what + " threw", e);
          }
        }
        try {
          c.handleAllReady(1);
        } catch (RuntimeException e) {
          throw new AssertionError("seed " + seed + " step " + i + ": handling Ready threw", e);
        }
        long term = c.term(1);
        long commit = c.commit(1);
        assertThat(term).as("seed %d step %d: term never decreases", seed, i).isGreaterThanOrEqualTo(prevTerm);
        assertThat(commit).as("seed %d step %d: commit never decreases", seed, i).isGreaterThanOrEqualTo(prevCommit);
        assertThat(commit).as("seed %d step %d: commit within log", seed, i)
            .isLessThanOrEqualTo(c.storage(1).lastIndex());
        assertThat(c.status(1).applied()).isLessThanOrEqualTo(commit);
        assertContiguous(c.storage(1));
        assertAppliedEntriesStillInLog(c, 1);
        prevTerm = term;
        prevCommit = commit;
      }
    }
  }

  private static Message garbage(Random rnd, MessageType t, TestCluster c) {
    long cur = c.term(1);
    long last = c.storage(1).lastIndex();
    long[] froms = {0, 1, 2, 3, 99};
    long term = switch (rnd.nextInt(6)) {
      case 0 -> 0;
      case 1 -> Math.max(0, cur - 1);
      case 2, 3 -> cur;
      default -> cur + 1 + rnd.nextInt(2);
    };
    Message.Builder b = msg(t, froms[rnd.nextInt(froms.length)], 1, term)
        .setIndex(pickIndex(rnd, last))
        .setCommit(pickIndex(rnd, last))
        .setRejectHint(pickIndex(rnd, last))
        .setReject(rnd.nextBoolean());
    long logTerm = rnd.nextInt(4) == 0 ? rnd.nextInt((int) Math.min(cur + 2, 100)) : safeTerm(c, b.getIndex());
    b.setLogTerm(logTerm);
    if (rnd.nextInt(4) == 0) {
      b.setContext(bytes("ctx" + rnd.nextInt(3)));
    }
    switch (t) {
      case MsgAppend -> {
        int n = rnd.nextInt(4);
        long idx = b.getIndex();
        long et = logTerm;
        for (int k = 1; k <= n && idx + k > 0; k++) {
          et = Math.min(Math.max(et, logTerm) + (rnd.nextInt(3) == 0 ? 1 : 0), Math.max(term, logTerm));
          b.addEntries(entry(idx + k, et, "g" + rnd.nextInt(1000)));
        }
      }
      case MsgPropose, MsgReadIndex, MsgReadIndexResponse -> {
        if (rnd.nextInt(5) != 0) {
          b.addEntries(Entry.newBuilder().setData(bytes("d" + rnd.nextInt(1000))));
        }
      }
      case MsgSnapshot -> {
        if (rnd.nextBoolean()) {
          b.setSnapshot(Snapshot.newBuilder().setData(bytes("s"))
              .setMetadata(SnapshotMetadata.newBuilder().setIndex(rnd.nextInt((int) last + 10))
                  .setTerm(rnd.nextInt((int) Math.min(cur + 1, 100)) + 1)
                  .setConfState(ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3))));
        }
      }
      default -> { }
    }
    return b.build();
  }

  private static long pickIndex(Random rnd, long last) {
    return switch (rnd.nextInt(8)) {
      case 0 -> 0;
      case 1 -> last;
      case 2 -> last + 1;
      case 3 -> Math.max(0, last - 1);
      case 4 -> last + rnd.nextInt(20);
      case 5 -> rnd.nextInt((int) Math.min(last + 1, 1000));
      case 6 -> Long.MAX_VALUE;
      default -> -1;
    };
  }

  private static long safeTerm(TestCluster c, long index) {
    MemoryStorage s = c.storage(1);
    if (index >= s.firstIndex() - 1 && index <= s.lastIndex() && index >= 0) {
      return s.term(index);
    }
    return c.term(1);
  }

  static void assertContiguous(MemoryStorage s) {
    long first = s.firstIndex();
    long last = s.lastIndex();
    assertThat(last).isGreaterThanOrEqualTo(first - 1);
    if (last < first) {
      return;
    }
    List<Entry> all = s.entries(first, last + 1, Long.MAX_VALUE);
    long prevTerm = s.term(first - 1);
    for (int i = 0; i < all.size(); i++) {
      Entry e = all.get(i);
      assertThat(e.getIndex()).as("entry at position %d", i).isEqualTo(first + i);
      assertThat(e.getTerm()).as("terms never decrease along the log (index %d)", e.getIndex())
          .isGreaterThanOrEqualTo(prevTerm);
      prevTerm = e.getTerm();
    }
  }

  private static void assertAppliedEntriesStillInLog(TestCluster c, long id) {
    MemoryStorage s = c.storage(id);
    for (Map.Entry<Long, Entry> e : c.member(id).applied.entrySet()) {
      long idx = e.getKey();
      if (idx >= s.firstIndex() && idx <= s.lastIndex()) {
        assertThat(s.entries(idx, idx + 1, Long.MAX_VALUE).get(0))
            .as("applied entry %d was rewritten", idx).isEqualTo(e.getValue());
      }
    }
  }

  @Test
  void joiningNodeWithEmptyStorageSurvivesGarbage() {
    TestCluster c = TestCluster.empty(b -> {});
    c.addJoining(4);
    Random rnd = new Random(5);
    List<MessageType> types = wireTypes();
    for (int i = 0; i < 500; i++) {
      MessageType t = types.get(rnd.nextInt(types.size()));
      Message m = msg(t, 1 + rnd.nextInt(3), 4, rnd.nextInt(3)).setIndex(rnd.nextInt(5) - 1)
          .setLogTerm(rnd.nextInt(3)).setCommit(rnd.nextInt(5) - 1).setRejectHint(rnd.nextInt(5))
          .build();
      stepTolerant(c.node(4), m);
      c.handleAllReady(4);
      assertThat(c.commit(4)).isLessThanOrEqualTo(c.storage(4).lastIndex());
      assertContiguous(c.storage(4));
    }
  }
}
