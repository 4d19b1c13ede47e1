package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-follower flow control: PROBE/REPLICATE states, in-flight window, batching by size, reportUnreachable. */
class FlowControlTest {

  private static List<Message> appendsWithEntries(List<Message> msgs, long to) {
    return ofTypeTo(msgs, MessageType.MsgAppend, to).stream().filter(m -> m.getEntriesCount() > 0).toList();
  }

  @Test
  void followerProgressStartsInProbeAndMovesToReplicateAfterSuccessfulAppend() {
    TestCluster c = TestCluster.ofVoters(3);
    c.holdIf(m -> m.getMsgType() == MessageType.MsgAppend);
    c.node(1).campaign();
    c.stabilize();
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(c.progress(1, 3).state()).isEqualTo(ProgressState.PROBE);
    c.releaseHeld();
    c.stabilize();
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(c.progress(1, 3).state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(c.progress(1, 2).match()).isEqualTo(c.storage(1).lastIndex());
  }

  @Test
  void replicateStateStopsSendingAtMaxInflightMsgsUntilAcksArrive() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.maxInflightMsgs(2));
    c.elect(1);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.REPLICATE);
    c.holdIf(m -> m.getTo() == 2);
    c.sent.clear();
    for (int i = 0; i < 6; i++) {
      c.propose(1, "p" + i);
      c.stabilize();
    }
    List<Message> toTwo = appendsWithEntries(c.sent, 2);
    assertThat(toTwo).as("appends in flight to 2").hasSize(2);
    assertThat(appendsWithEntries(c.sent, 3)).as("3 acks promptly so it gets all").hasSizeGreaterThanOrEqualTo(2);
    // acks free the window and the rest is sent
    c.releaseHeld();
    c.stabilize();
    c.tickAllAndStabilize(2);
    c.assertLogsMatchLeader(1);
    assertThat(c.appliedData(2)).hasSize(6);
  }

  @Test
  void maxInflightOfOneSendsOneAppendAtATime() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.maxInflightMsgs(1));
    c.elect(1);
    c.holdIf(m -> m.getTo() == 2 || m.getTo() == 3);
    c.sent.clear();
    for (int i = 0; i < 4; i++) {
      c.propose(1, "p" + i);
      c.handleAllReady(1);
    }
    assertThat(appendsWithEntries(c.sent, 2)).hasSize(1);
    assertThat(appendsWithEntries(c.sent, 3)).hasSize(1);
    c.releaseHeld();
    c.stabilize();
    c.tickAllAndStabilize(1);
    c.assertLogsMatchLeader(1);
  }

  @Test
  void appendsAreBatchedUpToMaxSizePerMsg() {
    long maxSize = 350;
    TestCluster c = TestCluster.ofVoters(3, b -> b.maxSizePerMsg(maxSize));
    c.elect(1);
    c.isolate(2);
    String payload = "x".repeat(100);
    for (int i = 0; i < 12; i++) {
      c.propose(1, payload + i);
    }
    c.stabilize();
    c.heal();
    c.sent.clear();
    c.tickAllAndStabilize(3);
    c.assertLogsMatchLeader(1);
    List<Message> catchUp = appendsWithEntries(c.sent, 2);
    assertThat(catchUp).isNotEmpty();
    int entriesSent = 0;
    boolean batched = false;
    for (Message m : catchUp) {
      long size = m.getEntriesList().stream().mapToLong(Entry::getSerializedSize).sum();
      if (m.getEntriesCount() > 1) {
        batched = true;
        assertThat(size).as("batch of %d entries", m.getEntriesCount()).isLessThanOrEqualTo(maxSize);
      }
      entriesSent += m.getEntriesCount();
    }
    assertThat(batched).as("several entries fit in one append").isTrue();
    assertThat(entriesSent).isGreaterThanOrEqualTo(12);
    assertThat(catchUp.size()).as("fewer appends than entries").isLessThan(12);
  }

  @Test
  void maxSizePerMsgZeroSendsOneEntryPerAppend() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.maxSizePerMsg(0));
    c.elect(1);
    c.isolate(2);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "e" + i);
    }
    c.stabilize();
    c.heal();
    c.sent.clear();
    c.tickAllAndStabilize(3);
    c.assertLogsMatchLeader(1);
    assertThat(appendsWithEntries(c.sent, 2)).allSatisfy(m -> assertThat(m.getEntriesCount()).isEqualTo(1));
  }

  @Test
  void probeStateSendsAtMostOneAppendPerHeartbeatInterval() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.heartbeatTick(5).electionTick(50));
    c.elect(1);
    c.isolate(2);
    c.node(1).reportUnreachable(2);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.PROBE);
    c.sent.clear();
    for (int i = 0; i < 5; i++) {
      c.propose(1, "p" + i);
      c.stabilize();
    }
    // within one heartbeat interval (no ticks), only one probe goes out to 2
    assertThat(ofTypeTo(c.sent, MessageType.MsgAppend, 2)).hasSizeLessThanOrEqualTo(1);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.PROBE);
    // three heartbeat intervals later, at most one probe per interval
    for (int i = 0; i < 15; i++) {
      c.tick(1);
      c.tick(3);
      c.stabilize();
    }
    assertThat(ofTypeTo(c.sent, MessageType.MsgAppend, 2).size()).isLessThanOrEqualTo(1 + 3);
    c.heal();
    for (int i = 0; i < 10; i++) {
      c.tickAll();
      c.stabilize();
    }
    c.assertLogsMatchLeader(1);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.REPLICATE);
  }

  @Test
  void reportUnreachableMovesReplicatingFollowerToProbe() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.REPLICATE);
    c.node(1).reportUnreachable(2);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.PROBE);
    assertThat(c.progress(1, 3).state()).isEqualTo(ProgressState.REPLICATE);
    // and it recovers
    c.propose(1, "x");
    c.stabilize();
    c.tickAllAndStabilize(2);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(c.appliedData(2)).containsExactly("x");
  }

  @Test
  void reportUnreachableIsIgnoredOnNonLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(2).reportUnreachable(1);
    c.node(2).reportUnreachable(3);
    assertThat(c.status(2).progress()).isEmpty();
    c.assertStillWorks("ok");
  }

  @Test
  void lostAppendsInReplicateAreResentAfterRejection() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.dropIf(m -> m.getTo() == 2 && m.getMsgType() == MessageType.MsgAppend);
    c.propose(1, "a");
    c.propose(1, "b");
    c.stabilize();
    c.heal();
    c.propose(1, "c");
    c.stabilize();
    c.tickAllAndStabilize(2);
    assertThat(c.appliedData(2)).containsExactly("a", "b", "c");
    c.assertLogsMatchLeader(1);
  }

  @Test
  void staleRejectionInReplicateIsIgnored() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.stabilize();
    long match = c.progress(1, 2).match();
    // an old rejection for an index below match must not move progress back
    c.node(1).step(msg(MessageType.MsgAppendResponse, 2, 1, c.term(1)).setIndex(match - 1).setReject(true)
        .setRejectHint(match - 1).build());
    assertThat(c.progress(1, 2).match()).isEqualTo(match);
    assertThat(c.progress(1, 2).state()).isEqualTo(ProgressState.REPLICATE);
    c.stabilize();
    assertThat(c.appliedData(2)).containsExactly("a");
    assertThat(c.progress(1, 2).match()).isEqualTo(match);
  }
}
