package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.entry;
import static io.raftkv.raft.TestCluster.msg;
import static io.raftkv.raft.TestCluster.ofType;
import static io.raftkv.raft.TestCluster.ofTypeTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Leader election (Raft figure 2/3): terms, voting rules, timeouts, winning and losing, heartbeats. */
class ElectionTest {

  /** Only node 1 of the group {1,2,3} exists; its bootstrap Ready is handled; term 1, log 1..3 at term 1. */
  private static TestCluster lone() {
    return lone(b -> {});
  }

  private static TestCluster lone(java.util.function.Consumer<RaftConfig.Builder> cfg) {
    TestCluster c = TestCluster.empty(cfg);
    c.addBootstrapped(1, List.of(1L, 2L, 3L), List.of());
    c.handleAllReady(1);
    return c;
  }

  private static Message voteRequest(long from, long term, long lastIndex, long lastTerm) {
    return msg(MessageType.MsgRequestVote, from, 1, term).setIndex(lastIndex).setLogTerm(lastTerm).build();
  }

  private static List<Message> responses(TestCluster c, long node, MessageType type) {
    List<Message> out = new ArrayList<>();
    for (Ready rd : c.handleAllReady(node)) {
      out.addAll(ofType(rd.messages(), type));
    }
    return out;
  }

  /** Makes node 1 a candidate at term 2 and returns the vote requests it sent. */
  private static List<Message> campaign(TestCluster c) {
    c.node(1).campaign();
    List<Message> out = new ArrayList<>();
    for (Ready rd : c.handleAllReady(1)) {
      out.addAll(ofType(rd.messages(), MessageType.MsgRequestVote));
    }
    return out;
  }

  @Test
  void candidateIncrementsTermVotesForItselfAndRequestsVotesFromAllPeers() {
    TestCluster c = lone();
    List<Message> reqs = campaign(c);
    assertThat(c.state(1)).isEqualTo(StateType.CANDIDATE);
    assertThat(c.term(1)).isEqualTo(2);
    assertThat(c.status(1).hardState().getVote()).isEqualTo(1);
    assertThat(reqs).extracting(Message::getTo).containsExactlyInAnyOrder(2L, 3L);
    for (Message m : reqs) {
      assertThat(m.getTerm()).isEqualTo(2);
      assertThat(m.getIndex()).as("candidate's last index").isEqualTo(3);
      assertThat(m.getLogTerm()).as("candidate's last term").isEqualTo(1);
    }
  }

  @Test
  void candidateWinsWithMajorityOfVotes() {
    TestCluster c = lone();
    campaign(c);
    c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 2, 1, 2).build());
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    assertThat(c.status(1).softState().lead()).isEqualTo(1);
  }

  @Test
  void candidateStaysCandidateWithoutMajority() {
    TestCluster c = TestCluster.empty(b -> {});
    c.addBootstrapped(1, List.of(1L, 2L, 3L, 4L, 5L), List.of());
    c.handleAllReady(1);
    c.node(1).campaign();
    c.handleAllReady(1);
    c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 2, 1, 2).build());
    assertThat(c.state(1)).as("2 of 5 votes").isEqualTo(StateType.CANDIDATE);
    c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 3, 1, 2).build());
    assertThat(c.state(1)).as("3 of 5 votes").isEqualTo(StateType.LEADER);
  }

  @Test
  void candidateRevertsToFollowerOnMajorityReject() {
    TestCluster c = lone();
    campaign(c);
    c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 2, 1, 2).setReject(true).build());
    assertThat(c.state(1)).as("one reject of three").isEqualTo(StateType.CANDIDATE);
    c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 3, 1, 2).setReject(true).build());
    assertThat(c.state(1)).as("two rejects of three").isEqualTo(StateType.FOLLOWER);
    assertThat(c.term(1)).isEqualTo(2);
  }

  @Test
  void voteFromSameVoterIsCountedOnce() {
    TestCluster c = TestCluster.empty(b -> {});
    c.addBootstrapped(1, List.of(1L, 2L, 3L, 4L, 5L), List.of());
    c.handleAllReady(1);
    c.node(1).campaign();
    c.handleAllReady(1);
    for (int i = 0; i < 3; i++) {
      c.node(1).step(msg(MessageType.MsgRequestVoteResponse, 2, 1, 2).build());
    }
    assertThat(c.state(1)).isEqualTo(StateType.CANDIDATE);
  }

  @Test
  void followerGrantsVoteToUpToDateCandidateAndPersistsIt() {
    TestCluster c = lone();
    c.node(1).step(voteRequest(2, 2, 3, 1));
    Ready rd = c.handleReady(1);
    List<Message> resp = ofTypeTo(rd.messages(), MessageType.MsgRequestVoteResponse, 2);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isFalse();
    assertThat(resp.get(0).getTerm()).isEqualTo(2);
    assertThat(rd.hardState().getTerm()).isEqualTo(2);
    assertThat(rd.hardState().getVote()).isEqualTo(2);
    assertThat(rd.mustSync()).as("vote changed").isTrue();
  }

  @Test
  void voteGrantedAtMostOncePerTerm() {
    TestCluster c = lone();
    c.node(1).step(voteRequest(2, 2, 3, 1));
    c.handleAllReady(1);
    c.node(1).step(voteRequest(3, 2, 3, 1));
    List<Message> resp = responses(c, 1, MessageType.MsgRequestVoteResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getTo()).isEqualTo(3);
    assertThat(resp.get(0).getReject()).isTrue();
    assertThat(c.status(1).hardState().getVote()).isEqualTo(2);
  }

  @Test
  void voteIsRememberedAcrossRestart() {
    TestCluster c = lone();
    c.node(1).step(voteRequest(2, 2, 3, 1));
    c.handleAllReady(1);
    c.restart(1);
    c.handleAllReady(1);
    assertThat(c.status(1).hardState().getVote()).isEqualTo(2);
    c.node(1).step(voteRequest(3, 2, 3, 1));
    List<Message> resp = responses(c, 1, MessageType.MsgRequestVoteResponse);
    assertThat(resp).singleElement().satisfies(m -> assertThat(m.getReject()).isTrue());
  }

  @Test
  void repeatedVoteRequestFromSameCandidateIsGrantedAgain() {
    TestCluster c = lone();
    c.node(1).step(voteRequest(2, 2, 3, 1));
    c.handleAllReady(1);
    c.node(1).step(voteRequest(2, 2, 3, 1));
    List<Message> resp = responses(c, 1, MessageType.MsgRequestVoteResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isFalse();
  }

  @Test
  void candidateDoesNotVoteForAnotherCandidateInItsTerm() {
    TestCluster c = lone();
    campaign(c);
    c.node(1).step(voteRequest(2, 2, 3, 1));
    List<Message> resp = responses(c, 1, MessageType.MsgRequestVoteResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isTrue();
  }

  /** Gives node 1 the log 1..3 (t1), 4..5 (t2) via an append from leader 2 in term 2. */
  private static TestCluster loneWithTerm2Entries() {
    TestCluster c = lone();
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(3).setLogTerm(1).setCommit(3)
        .addEntries(entry(4, 2, "x")).addEntries(entry(5, 2, "y")).build());
    c.handleAllReady(1);
    assertThat(c.storage(1).lastIndex()).isEqualTo(5);
    return c;
  }

  @Test
  void voteDeniedToCandidateWithLowerLastTermEvenIfLonger() {
    TestCluster c = loneWithTerm2Entries();
    c.node(1).step(voteRequest(3, 3, 100, 1));
    List<Message> resp = responses(c, 1, MessageType.MsgRequestVoteResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isTrue();
    assertThat(c.status(1).hardState().getVote()).isNotEqualTo(3);
  }

  @Test
  void voteDeniedToCandidateWithSameLastTermButShorterLog() {
    TestCluster c = loneWithTerm2Entries();
    c.node(1).step(voteRequest(3, 3, 4, 2));
    List<Message> resp = responses(c, 1, MessageType.MsgRequestVoteResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isTrue();
  }

  @Test
  void voteGrantedToCandidateWithSameLastTermAndEqualLog() {
    TestCluster c = loneWithTerm2Entries();
    c.node(1).step(voteRequest(3, 3, 5, 2));
    List<Message> resp = responses(c, 1, MessageType.MsgRequestVoteResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isFalse();
  }

  @Test
  void voteGrantedToCandidateWithHigherLastTermEvenIfShorter() {
    TestCluster c = loneWithTerm2Entries();
    c.node(1).step(voteRequest(3, 4, 4, 3));
    List<Message> resp = responses(c, 1, MessageType.MsgRequestVoteResponse);
    assertThat(resp).hasSize(1);
    assertThat(resp.get(0).getReject()).isFalse();
  }

  @Test
  void followerStepsUpToHigherTermEvenWhenDenyingVote() {
    TestCluster c = loneWithTerm2Entries();
    c.node(1).step(voteRequest(3, 7, 1, 1));
    c.handleAllReady(1);
    assertThat(c.term(1)).isEqualTo(7);
    assertThat(c.state(1)).isEqualTo(StateType.FOLLOWER);
  }

  @Test
  void leaderStepsDownOnMessageWithHigherTerm() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long t = c.term(1);
    c.node(1).step(msg(MessageType.MsgAppendResponse, 2, 1, t + 1).setIndex(0).build());
    assertThat(c.state(1)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.term(1)).isEqualTo(t + 1);
  }

  @Test
  void leaderStepsDownOnVoteRequestWithHigherTerm() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long t = c.term(1);
    long last = c.storage(1).lastIndex();
    c.node(1).step(msg(MessageType.MsgRequestVote, 2, 1, t + 1).setIndex(last).setLogTerm(t).build());
    assertThat(c.state(1)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.term(1)).isEqualTo(t + 1);
  }

  @Test
  void candidateStepsDownOnAppendFromLeaderOfSameTerm() {
    TestCluster c = lone();
    campaign(c);
    c.node(1).step(msg(MessageType.MsgAppend, 2, 1, 2).setIndex(3).setLogTerm(1).setCommit(3).build());
    assertThat(c.state(1)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.status(1).softState().lead()).isEqualTo(2);
    assertThat(c.term(1)).isEqualTo(2);
  }

  @Test
  void candidateStepsDownOnHeartbeatFromLeaderOfSameTerm() {
    TestCluster c = lone();
    campaign(c);
    c.node(1).step(msg(MessageType.MsgHeartbeat, 2, 1, 2).setCommit(3).build());
    assertThat(c.state(1)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.status(1).softState().lead()).isEqualTo(2);
  }

  @Test
  void candidateStepsDownOnHigherTermMessage() {
    TestCluster c = lone();
    campaign(c);
    c.node(1).step(msg(MessageType.MsgHeartbeat, 3, 1, 5).build());
    assertThat(c.state(1)).isEqualTo(StateType.FOLLOWER);
    assertThat(c.term(1)).isEqualTo(5);
  }

  @Test
  void followerIgnoresAppendFromStaleTerm() {
    TestCluster c = loneWithTerm2Entries();
    List<Entry> before = c.storedEntries(1);
    c.node(1).step(msg(MessageType.MsgAppend, 3, 1, 1).setIndex(3).setLogTerm(1).setCommit(5)
        .addEntries(entry(4, 1, "stale")).build());
    c.handleAllReady(1);
    assertThat(c.storedEntries(1)).isEqualTo(before);
    assertThat(c.term(1)).isEqualTo(2);
    assertThat(c.status(1).softState().lead()).isEqualTo(2);
  }

  @Test
  void electionTimeoutIsRandomizedInElectionTickToTwiceElectionTick() {
    Set<Integer> seen = new HashSet<>();
    for (long seed = 1; seed <= 40; seed++) {
      long s = seed;
      TestCluster c = TestCluster.empty(b -> b.electionTick(10).randomSeed(s));
      c.addBootstrapped(1, List.of(1L, 2L, 3L), List.of());
      c.handleAllReady(1);
      int ticks = ticksUntilCampaign(c, 100);
      assertThat(ticks).as("seed %d", seed).isBetween(10, 19);
      seen.add(ticks);
    }
    assertThat(seen).as("timeouts drawn over 40 seeds").hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void electionTimeoutIsReproducibleForSameSeed() {
    int[] results = new int[2];
    for (int run = 0; run < 2; run++) {
      TestCluster c = TestCluster.empty(b -> b.electionTick(10).randomSeed(12345));
      c.addBootstrapped(1, List.of(1L, 2L, 3L), List.of());
      c.handleAllReady(1);
      results[run] = ticksUntilCampaign(c, 100);
    }
    assertThat(results[0]).isEqualTo(results[1]);
  }

  private static int ticksUntilCampaign(TestCluster c, int max) {
    for (int i = 1; i <= max; i++) {
      c.tick(1);
      for (Ready rd : c.handleAllReady(1)) {
        if (!ofType(rd.messages(), MessageType.MsgRequestVote).isEmpty()) {
          assertThat(c.state(1)).isEqualTo(StateType.CANDIDATE);
          return i;
        }
      }
    }
    throw new AssertionError("never campaigned in " + max + " ticks");
  }

  @Test
  void followerCampaignsAfterElectionTimeoutAndGetsElected() {
    TestCluster c = TestCluster.ofVoters(3);
    for (int i = 0; i < 20; i++) {
      c.tick(2);
      c.stabilize();
    }
    assertThat(c.state(2)).isEqualTo(StateType.LEADER);
    assertThat(c.status(1).softState().lead()).isEqualTo(2);
    assertThat(c.status(3).softState().lead()).isEqualTo(2);
  }

  @Test
  void heartbeatFromLeaderResetsFollowerElectionTimer() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long t = c.term(1);
    for (int i = 0; i < 100; i++) {
      c.tickAll();
      c.stabilize();
    }
    assertThat(c.leader()).isEqualTo(1);
    assertThat(c.term(2)).isEqualTo(t);
    assertThat(c.term(3)).isEqualTo(t);
  }

  @Test
  void leaderSendsHeartbeatsEveryHeartbeatTick() {
    TestCluster c = TestCluster.ofVoters(3, b -> b.heartbeatTick(3).electionTick(30));
    c.elect(1);
    c.sent.clear();
    List<Integer> heartbeatTicks2 = new ArrayList<>();
    int heartbeats3 = 0;
    for (int i = 1; i <= 12; i++) {
      c.tick(1);
      for (Ready rd : c.handleAllReady(1)) {
        if (!ofTypeTo(rd.messages(), MessageType.MsgHeartbeat, 2).isEmpty()) {
          heartbeatTicks2.add(i);
        }
        heartbeats3 += ofTypeTo(rd.messages(), MessageType.MsgHeartbeat, 3).size();
      }
    }
    assertThat(heartbeatTicks2).hasSize(4);
    for (int k = 1; k < heartbeatTicks2.size(); k++) {
      assertThat(heartbeatTicks2.get(k) - heartbeatTicks2.get(k - 1)).isEqualTo(3);
    }
    assertThat(heartbeats3).isEqualTo(4);
  }

  @Test
  void newLeaderAppendsEmptyEntryOfItsTermWhichGetsCommitted() {
    TestCluster c = TestCluster.ofVoters(3);
    c.node(1).campaign();
    c.stabilize();
    long t = c.term(1);
    Entry first = c.member(1).applied.get(4L);
    assertThat(first).as("entry 4 applied on the leader").isNotNull();
    assertThat(first.getTerm()).isEqualTo(t);
    assertThat(first.getEntryType()).isEqualTo(EntryType.EntryNormal);
    assertThat(first.getData().isEmpty()).isTrue();
    for (long id : c.ids()) {
      assertThat(c.member(id).applied.get(4L)).as("applied on %d", id).isEqualTo(first);
      assertThat(c.commit(id)).isEqualTo(4);
    }
  }

  @Test
  void singleNodeGroupElectsItselfAtOnce() {
    TestCluster c = TestCluster.ofVoters(1);
    c.node(1).campaign();
    c.stabilize();
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    assertThat(c.commit(1)).isEqualTo(2);
  }

  @Test
  void singleNodeElectsItselfAfterElectionTimeout() {
    TestCluster c = TestCluster.ofVoters(1);
    for (int i = 0; i < 20; i++) {
      c.tick(1);
      c.stabilize();
    }
    assertThat(c.state(1)).isEqualTo(StateType.LEADER);
    c.propose(1, "solo");
    c.stabilize();
    assertThat(c.appliedData(1)).containsExactly("solo");
  }

  @Test
  void atMostOneLeaderPerTerm() {
    TestCluster c = TestCluster.ofVoters(5);
    java.util.Random rnd = new java.util.Random(99);
    java.util.Map<Long, Long> leaderOfTerm = new java.util.HashMap<>();
    for (int round = 0; round < 400; round++) {
      if (round % 40 == 0) {
        c.heal();
        long a = 1 + rnd.nextInt(5);
        long b = 1 + rnd.nextInt(5);
        c.partition(List.of(a, b));
      }
      c.tickAll();
      c.stabilize();
      for (long id : c.ids()) {
        Status s = c.status(id);
        if (s.softState().raftState() == StateType.LEADER) {
          Long prev = leaderOfTerm.putIfAbsent(s.hardState().getTerm(), id);
          assertThat(prev == null ? id : prev).as("leader of term %d", s.hardState().getTerm()).isEqualTo(id);
        }
      }
    }
    assertThat(leaderOfTerm).isNotEmpty();
  }
}
