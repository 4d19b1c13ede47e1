package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.entry;
import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofType;
import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Log replication (AppendEntries): consistency check, reject hints, back-off and repair of divergent logs. */
class ReplicationTest {

  /** Only node 1 of {1,2,3} exists, bootstrapped: log 1..3 at term 1, commit 3. */
  private static TestCluster lone() {
    TestCluster c = TestCluster.empty(b -> {});
    c.addBootstrapped(1, List.of(1L, 2L, 3L), List.of());
    c.handleAllReady(1);
    return c;
  }

  private static List<Message> out(TestCluster c, long id, MessageType type) {
    List<Message> res = new ArrayList<>();
    for (Ready rd : c.handleAllReady(id)) {
      res.addAll(ofType(rd.messages(), type));
    }
    return res;
  }

  @Test
  void followerAcceptsAppendMatchingPrevIndexAndTerm() {
    TestCluster c = lone();
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(3).setLogTerm(1).setCommit(3)
        .addEntries(entry(4, 2, "a")).addEntries(entry(5, 2, "b")).build());
    Ready rd = c.handleReady(1);
    assertThat(rd.entries()).containsExactly(entry(4, 2, "a"), entry(5, 2, "b"));
    List<Message> resp = ofTypeTo(rd.messages(), MessageType.MsgAppendResponse, 2);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isFalse();
    assertThat(resp.get(0).getIndex()).as("last index of the appended entries").isEqualTo(5);
    assertThat(c.storage(1).lastIndex()).isEqualTo(5);
  }

  @Test
  void followerRejectsAppendWithMismatchedPrevLogTerm() {
    TestCluster c = lone();
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(3).setLogTerm(2).setCommit(3)
        .addEntries(entry(4, 2, "a")).build());
    List<Message> resp = out(c, 1, MessageType.MsgAppendResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isTrue();
    assertThat(resp.get(0).getRejectHint()).isLessThanOrEqualTo(3);
    assertThat(c.storage(1).lastIndex()).isEqualTo(3);
  }

  @Test
  void followerRejectsAppendWhosePrevIndexIsBeyondItsLogWithHintAtOrBelowLastIndex() {
    TestCluster c = lone();
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(7).setLogTerm(2).setCommit(3)
        .addEntries(entry(8, 2, "a")).build());
    List<Message> resp = out(c, 1, MessageType.MsgAppendResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isTrue();
    assertThat(resp.get(0).getRejectHint()).isLessThanOrEqualTo(3);
    assertThat(c.storage(1).lastIndex()).isEqualTo(3);
  }

  @Test
  void followerTruncatesConflictingEntriesAndAppendsLeaders() {
    TestCluster c = lone();
    // term 2 leader 2 gave us 4..6
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(3).setLogTerm(1).setCommit(3)
        .addEntries(entry(4, 2, "a")).addEntries(entry(5, 2, "b")).addEntries(entry(6, 2, "c")).build());
    c.handleAllReady(1);
    // term 3 leader 3 overwrites from 5 on
    c.node(1).step(msg(MessageType.MsgAppend, 3, 1, 3).setIndex(4).setLogTerm(2).setCommit(4)
        .addEntries(entry(5, 3, "x")).build());
    Ready rd = c.handleReady(1);
    assertThat(rd.entries()).containsExactly(entry(5, 3, "x"));
    assertThat(c.storage(1).lastIndex()).isEqualTo(5);
    assertThat(c.storedEntries(1)).endsWith(entry(4, 2, "a"), entry(5, 3, "x"));
    assertThat(ofTypeTo(rd.messages(), MessageType.MsgAppendResponse, 3)).singleElement()
        .satisfies(m -> {
          assertThat(m.getReject()).isFalse();
          assertThat(m.getIndex()).isEqualTo(5);
        });
  }

  @Test
  void followerKeepsEntriesAfterAStaleShorterAppendThatMatches() {
    TestCluster c = lone();
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(3).setLogTerm(1).setCommit(3)
        .addEntries(entry(4, 2, "a")).addEntries(entry(5, 2, "b")).build());
    c.handleAllReady(1);
    // a delayed, shorter copy of the same append must not truncate entry 5
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(3).setLogTerm(1).setCommit(3)
        .addEntries(entry(4, 2, "a")).build());
    c.handleAllReady(1);
    assertThat(c.storage(1).lastIndex()).isEqualTo(5);
    assertThat(c.storage(1).term(5)).isEqualTo(2);
  }

  @Test
  void followerCommitIsLimitedToLastNewEntry() {
    TestCluster c = lone();
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(3).setLogTerm(1).setCommit(10)
        .addEntries(entry(4, 2, "a")).build());
    c.handleAllReady(1);
    assertThat(c.commit(1)).isEqualTo(4);
    assertThat(c.appliedData(1)).containsExactly("a");
  }

  @Test
  void leaderBacksOffUsingRejectHint() {
    TestCluster c = lone();
    c.node(1).campaign();
    c.handleAllReady(1);
    c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 2, 1, 2).build());
    c.handleAllReady(1);
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    for (int i = 0; i < 5; i++) {
      c.propose(1, "p" + i);
      c.handleAllReady(1);
    }
    long last = c.storage(1).lastIndex();
    assertThat(last).isEqualTo(9);
    // follower 2 only has the bootstrap entries 1..3: it rejects the probe at index 3 with hint 3
    c.node(1).step(msg(MessageType.MsgAppendResponse, 2, 1, 2).setIndex(3).setReject(true).setRejectHint(3)
        .setLogTerm(1).build());
    List<Message> apps = out(c, 1, MessageType.MsgAppend).stream().filter(m -> m.getTo() == 2).toList();
    assertThat(apps).isNotEmpty();
    assertThat(apps.get(0).getIndex()).as("leader resumes at or below the hint").isLessThanOrEqualTo(3);
    assertThat(apps.get(0).getEntriesList()).isNotEmpty();
  }

  @Test
  void leaderRepairsDivergentFollowerLog() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    // 1 is cut off and appends entries nobody else gets
    c.isolate(1);
    c.propose(1, "lost-1");
    c.propose(1, "lost-2");
    c.stabilize();
    long lostLast = c.storage(1).lastIndex();
    // 2 becomes leader at a higher term and commits different entries at the same indexes
    c.elect(2);
    c.propose(2, "kept-1");
    c.propose(2, "kept-2");
    c.propose(2, "kept-3");
    c.stabilize();
    c.heal();
    c.tickAllAndStabilize(3);
    assertThat(c.leader()).isEqualTo(2);
    c.assertLogsMatchLeader(2);
    assertThat(c.storage(1).lastIndex()).isGreaterThan(lostLast);
    assertThat(c.appliedData(1)).containsExactly("kept-1", "kept-2", "kept-3");
    assertThat(c.storedEntries(1)).noneMatch(e -> e.getData().toStringUtf8().startsWith("lost"));
    c.assertStateMachineSafety();
  }

  @Test
  void leaderRepairsFollowerWithLongUncommittedDivergentSuffix() {
    TestCluster c = TestCluster.ofVoters(5);
    c.elect(1);
    c.isolate(1);
    for (int i = 0; i < 30; i++) {
      c.propose(1, "lost-" + i);
    }
    c.stabilize();
    c.heal();
    c.isolate(1);
    c.elect(2);
    for (int i = 0; i < 3; i++) {
      c.propose(2, "kept-" + i);
    }
    c.stabilize();
    c.heal();
    c.tickAllAndStabilize(5);
    c.assertLogsMatchLeader(2);
    assertThat(c.appliedData(1)).containsExactly("kept-0", "kept-1", "kept-2");
  }

  @Test
  void followerCatchesUpAfterMissingManyEntries() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(3);
    for (int i = 0; i < 50; i++) {
      c.propose(1, "v" + i);
      c.stabilize();
    }
    c.heal();
    c.tickAllAndStabilize(3);
    c.assertLogsMatchLeader(1);
    assertThat(c.appliedData(3)).hasSize(50);
  }

  @Test
  void followerForwardsProposalToLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(2, "via-follower");
    Ready rd = c.handleReady(2);
    assertThat(ofTypeTo(rd.messages(), MessageType.MsgPropose, 1)).hasSize(1);
    c.stabilize();
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).containsExactly("via-follower");
    }
  }

  @Test
  void proposalWithoutKnownLeaderIsDropped() {
    TestCluster c = TestCluster.ofVoters(3);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.propose(2, "nobody"))
        .isInstanceOf(ProposalDroppedException.class);
  }

  @Test
  void entriesAreAppliedInLogOrderOnEveryNode() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      long from = 1 + (i % 3);
      c.propose(from, "e" + i);
      c.stabilize();
      expected.add("e" + i);
    }
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).containsExactlyElementsOf(expected);
    }
    c.assertLogsMatchLeader(1);
  }

  @Test
  void logMatchingHoldsAfterRandomPartitions() {
    TestCluster c = TestCluster.ofVoters(5);
    java.util.Random rnd = new java.util.Random(7);
    int proposals = 0;
    for (int round = 0; round < 300; round++) {
      if (round % 30 == 0) {
        c.heal();
        List<Long> side = new ArrayList<>();
        for (long id = 1; id <= 5; id++) {
          if (rnd.nextBoolean()) {
            side.add(id);
          }
        }
        c.partition(side);
      }
      c.tickAll();
      long l = c.leader();
      if (l != 0 && rnd.nextInt(3) == 0) {
        c.propose(l, "r" + proposals++);
      }
      c.stabilize();
      c.assertStateMachineSafety();
    }
    c.heal();
    c.tickAllAndStabilize(30);
    long l = c.awaitStableLeader();
    c.propose(l, "final");
    c.stabilize();
    c.assertLogsMatchLeader(l);
    c.assertStateMachineSafety();
    for (long id : c.ids()) {
      assertThat(c.appliedData(id)).contains("final");
    }
    // Log matching: same index and term => identical prefixes
    for (long a : c.ids()) {
      for (long b : c.ids()) {
        List<Entry> la = c.storedEntries(a);
        List<Entry> lb = c.storedEntries(b);
        assertThat(la).isEqualTo(lb);
      }
    }
  }
}
