package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link ProgressTracker}: membership restore and changes, commit and activity quorums, votes. */
class ProgressTrackerTest {

  private static ConfState conf(List<Long> voters, List<Long> learners) {
    return ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
  }

  private static ProgressTracker tracker(List<Long> voters, List<Long> learners, long lastIndex) {
    ProgressTracker t = new ProgressTracker(4);
    t.restore(conf(voters, learners), lastIndex);
    return t;
  }

  private static ConfChange change(ConfChangeType type, long id) {
    return ConfChange.newBuilder().setChangeType(type).setNodeId(id).build();
  }

  @Test
  void newTrackerHasNoMembers() {
    ProgressTracker t = new ProgressTracker(4);

    assertThat(t.voters()).isEmpty();
    assertThat(t.learners()).isEmpty();
    assertThat(t.progress()).isEmpty();
    assertThat(t.isSingleton()).isFalse();
    assertThat(t.confState()).isEqualTo(ConfState.getDefaultInstance());
  }

  @Test
  void restoreSetsVotersAndLearnersEachWithAFreshProbingProgress() {
    ProgressTracker t = tracker(List.of(3L, 1L, 2L), List.of(5L, 4L), 7);

    assertThat(t.voters()).containsExactly(1L, 2L, 3L);
    assertThat(t.learners()).containsExactly(4L, 5L);
    assertThat(t.progress().keySet()).containsExactly(1L, 2L, 3L, 4L, 5L);
    for (long id = 1; id <= 5; id++) {
      Progress pr = t.get(id);
      assertThat(pr.match()).isZero();
      assertThat(pr.next()).as("probes from the last index").isEqualTo(7);
      assertThat(pr.state()).isEqualTo(ProgressState.PROBE);
      assertThat(pr.recentActive()).isTrue();
      assertThat(pr.isLearner()).isEqualTo(id >= 4);
    }
  }

  @Test
  void restoreOverAnEmptyLogProbesFromIndexOne() {
    ProgressTracker t = tracker(List.of(1L), List.of(), 0);

    assertThat(t.get(1).next()).isEqualTo(1);
  }

  @Test
  void restoreReplacesThePreviousMembership() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(4L), 5);

    t.restore(conf(List.of(2L, 6L), List.of(7L)), 9);

    assertThat(t.voters()).containsExactly(2L, 6L);
    assertThat(t.learners()).containsExactly(7L);
    assertThat(t.progress().keySet()).containsExactly(2L, 6L, 7L);
    assertThat(t.get(2).next()).isEqualTo(9);
  }

  @Test
  void restoreTreatsAnIdListedAsBothVoterAndLearnerAsAVoter() {
    ProgressTracker t = tracker(List.of(1L, 2L), List.of(2L, 3L), 5);

    assertThat(t.voters()).containsExactly(1L, 2L);
    assertThat(t.learners()).containsExactly(3L);
    assertThat(t.get(2).isLearner()).isFalse();
  }

  @Test
  void restoreWithAnEmptyConfStateLeavesNoMembers() {
    ProgressTracker t = tracker(List.of(1L, 2L), List.of(3L), 5);

    t.restore(ConfState.getDefaultInstance(), 5);

    assertThat(t.voters()).isEmpty();
    assertThat(t.learners()).isEmpty();
    assertThat(t.progress()).isEmpty();
  }

  @Test
  void confStateListsVotersAndLearnersSorted() {
    ProgressTracker t = tracker(List.of(3L, 1L), List.of(9L, 4L), 0);

    assertThat(t.confState()).isEqualTo(conf(List.of(1L, 3L), List.of(4L, 9L)));
  }

  @Test
  void membershipViewsAreReadOnly() {
    ProgressTracker t = tracker(List.of(1L), List.of(2L), 0);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.voters().add(5L))
        .isInstanceOf(UnsupportedOperationException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> t.learners().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void addNodeAddsAVoterProbingFromTheLastIndex() {
    ProgressTracker t = tracker(List.of(1L), List.of(), 3);

    t.apply(change(ConfChangeType.AddNode, 2), 8);

    assertThat(t.voters()).containsExactly(1L, 2L);
    assertThat(t.isVoter(2)).isTrue();
    assertThat(t.get(2).next()).isEqualTo(8);
    assertThat(t.get(2).match()).isZero();
    assertThat(t.get(2).isLearner()).isFalse();
    assertThat(t.get(2).recentActive()).isTrue();
  }

  @Test
  void repeatingAnAddNodeKeepsTheExistingProgress() {
    ProgressTracker t = tracker(List.of(1L, 2L), List.of(), 3);
    Progress before = t.get(2);
    before.maybeUpdate(6);

    t.apply(change(ConfChangeType.AddNode, 2), 10);

    assertThat(t.get(2)).isSameAs(before);
    assertThat(t.get(2).match()).isEqualTo(6);
    assertThat(t.voters()).containsExactly(1L, 2L);
  }

  @Test
  void addNodeOnALearnerPromotesItKeepingItsProgress() {
    ProgressTracker t = tracker(List.of(1L), List.of(2L), 3);
    t.get(2).maybeUpdate(3);

    t.apply(change(ConfChangeType.AddNode, 2), 10);

    assertThat(t.voters()).containsExactly(1L, 2L);
    assertThat(t.learners()).isEmpty();
    assertThat(t.get(2).isLearner()).isFalse();
    assertThat(t.get(2).match()).isEqualTo(3);
  }

  @Test
  void addLearnerNodeAddsALearnerThatIsNotAVoter() {
    ProgressTracker t = tracker(List.of(1L), List.of(), 3);

    t.apply(change(ConfChangeType.AddLearnerNode, 2), 3);

    assertThat(t.voters()).containsExactly(1L);
    assertThat(t.learners()).containsExactly(2L);
    assertThat(t.isVoter(2)).isFalse();
    assertThat(t.get(2).isLearner()).isTrue();
    assertThat(t.isSingleton()).isTrue();
  }

  @Test
  void addLearnerNodeOnAVoterDemotesItKeepingItsProgress() {
    ProgressTracker t = tracker(List.of(1L, 2L), List.of(), 3);
    t.get(2).maybeUpdate(3);

    t.apply(change(ConfChangeType.AddLearnerNode, 2), 10);

    assertThat(t.voters()).containsExactly(1L);
    assertThat(t.learners()).containsExactly(2L);
    assertThat(t.get(2).isLearner()).isTrue();
    assertThat(t.get(2).match()).isEqualTo(3);
  }

  @Test
  void removeNodeDropsAVoterOrALearnerWithItsProgress() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(4L), 3);

    t.apply(change(ConfChangeType.RemoveNode, 2), 3);
    t.apply(change(ConfChangeType.RemoveNode, 4), 3);

    assertThat(t.voters()).containsExactly(1L, 3L);
    assertThat(t.learners()).isEmpty();
    assertThat(t.progress().keySet()).containsExactly(1L, 3L);
    assertThat(t.get(2)).isNull();
  }

  @Test
  void removingAnUnknownNodeChangesNothing() {
    ProgressTracker t = tracker(List.of(1L, 2L), List.of(3L), 3);

    t.apply(change(ConfChangeType.RemoveNode, 9), 3);

    assertThat(t.confState()).isEqualTo(conf(List.of(1L, 2L), List.of(3L)));
    assertThat(t.progress()).hasSize(3);
  }

  @Test
  void aChangeForNodeZeroIsIgnored() {
    ProgressTracker t = tracker(List.of(1L), List.of(), 3);

    t.apply(change(ConfChangeType.AddNode, 0), 3);
    t.apply(change(ConfChangeType.AddLearnerNode, 0), 3);

    assertThat(t.voters()).containsExactly(1L);
    assertThat(t.learners()).isEmpty();
    assertThat(t.progress().keySet()).containsExactly(1L);
  }

  @Test
  void anUnrecognizedChangeTypeIsIgnored() {
    ProgressTracker t = tracker(List.of(1L), List.of(), 3);

    t.apply(ConfChange.newBuilder().setChangeTypeValue(42).setNodeId(2).build(), 3);

    assertThat(t.progress().keySet()).containsExactly(1L);
  }

  @Test
  void isSingletonCountsVotersOnly() {
    assertThat(tracker(List.of(1L), List.of(2L, 3L), 0).isSingleton()).isTrue();
    assertThat(tracker(List.of(1L, 2L), List.of(), 0).isSingleton()).isFalse();
    assertThat(tracker(List.of(), List.of(2L), 0).isSingleton()).isFalse();
  }

  @Test
  void committedIndexCountsVotersButNotLearners() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(4L, 5L), 0);
    t.get(1).maybeUpdate(9);
    t.get(2).maybeUpdate(2);
    t.get(3).maybeUpdate(1);
    t.get(4).maybeUpdate(9);
    t.get(5).maybeUpdate(9);

    assertThat(t.committedIndex()).isEqualTo(2);
  }

  @Test
  void committedIndexWithNoVotersIsZero() {
    ProgressTracker t = tracker(List.of(), List.of(4L), 0);
    t.get(4).maybeUpdate(9);

    assertThat(t.committedIndex()).isZero();
  }

  @Test
  void resetProgressProbesEveryoneFromAfterTheLastIndexAndMatchesOnlyItself() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(4L), 2);
    t.get(2).maybeUpdate(2);
    t.get(2).becomeReplicate();
    t.get(2).optimisticUpdate(3);
    t.get(2).inflights().add(3);

    t.resetProgress(1, 7);

    for (long id = 1; id <= 4; id++) {
      Progress pr = t.get(id);
      assertThat(pr.next()).isEqualTo(8);
      assertThat(pr.match()).isEqualTo(id == 1 ? 7 : 0);
      assertThat(pr.state()).isEqualTo(ProgressState.PROBE);
      assertThat(pr.inflightCount()).isZero();
      assertThat(pr.recentActive()).isFalse();
      assertThat(pr.isLearner()).isEqualTo(id == 4);
    }
  }

  @Test
  void quorumActiveCountsTheLeaderItselfAndRecentlyActiveVoters() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(), 0);
    t.get(1).setRecentActive(false); // the leader counts whatever its own flag says
    t.get(2).setRecentActive(false);
    t.get(3).setRecentActive(false);

    assertThat(t.quorumActive(1)).isFalse();

    t.get(3).setRecentActive(true);
    assertThat(t.quorumActive(1)).isTrue();
  }

  @Test
  void quorumActiveDoesNotCountLearners() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(4L, 5L), 0);
    t.get(2).setRecentActive(false);
    t.get(3).setRecentActive(false);

    assertThat(t.get(4).recentActive()).isTrue();
    assertThat(t.quorumActive(1)).isFalse();
  }

  @Test
  void quorumActiveWithFourVotersNeedsThree() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L, 4L), List.of(), 0);
    t.get(3).setRecentActive(false);
    t.get(4).setRecentActive(false);

    assertThat(t.quorumActive(1)).isFalse();

    t.get(4).setRecentActive(true);
    assertThat(t.quorumActive(1)).isTrue();
  }

  @Test
  void quorumActiveOfASingleVoterIsAlwaysTrueForItself() {
    ProgressTracker t = tracker(List.of(1L), List.of(2L), 0);
    t.resetProgress(1, 0);

    assertThat(t.quorumActive(1)).isTrue();
  }

  @Test
  void quorumActiveAfterResetCountsOnlyTheLeader() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(), 0);

    t.resetProgress(1, 0);

    assertThat(t.quorumActive(1)).isFalse();
  }

  @Test
  void firstVoteOfANodeInAnElectionCounts() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(), 0);

    t.recordVote(1, true);
    t.recordVote(2, false);
    t.recordVote(2, true);

    assertThat(t.grantedVotes()).isEqualTo(1);
    assertThat(t.tallyVotes()).isEqualTo(VoteResult.PENDING);

    t.recordVote(3, false);
    assertThat(t.tallyVotes()).isEqualTo(VoteResult.LOST);
  }

  @Test
  void electionIsWonWithAMajorityOfVoterGrants() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(), 0);

    t.recordVote(1, true);
    t.recordVote(3, true);

    assertThat(t.tallyVotes()).isEqualTo(VoteResult.WON);
    assertThat(t.grantedVotes()).isEqualTo(2);
  }

  @Test
  void learnerAndNonMemberVotesAreNotCounted() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(4L), 0);

    t.recordVote(1, true);
    t.recordVote(4, true);
    t.recordVote(9, true);

    assertThat(t.grantedVotes()).isEqualTo(1);
    assertThat(t.tallyVotes()).isEqualTo(VoteResult.PENDING);
  }

  @Test
  void resetVotesForgetsEveryVote() {
    ProgressTracker t = tracker(List.of(1L, 2L, 3L), List.of(), 0);
    t.recordVote(1, true);
    t.recordVote(2, false);

    t.resetVotes();

    assertThat(t.grantedVotes()).isZero();
    t.recordVote(2, true);
    assertThat(t.grantedVotes()).as("a vote in a new election is not shadowed by the old one").isEqualTo(1);
  }

  @Test
  void singleVoterWinsWithItsOwnVote() {
    ProgressTracker t = tracker(List.of(1L), List.of(2L), 0);

    t.recordVote(1, true);

    assertThat(t.tallyVotes()).isEqualTo(VoteResult.WON);
  }
}
