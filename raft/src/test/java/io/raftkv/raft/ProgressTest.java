package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unit tests of {@link Progress}: the probe/replicate/snapshot state machine of the leader's view of a follower. */
class ProgressTest {

  private static Progress probe(long match, long next) {
    return new Progress(match, next, 3, false);
  }

  private static Progress replicate(long match, long next) {
    Progress pr = new Progress(match, match + 1, 3, false);
    pr.becomeReplicate();
    pr.optimisticUpdate(next - 1);
    return pr;
  }

  @Test
  void newProgressProbesAndIsNotPaused() {
    Progress pr = new Progress(0, 5, 4, false);

    assertThat(pr.state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr.match()).isZero();
    assertThat(pr.next()).isEqualTo(5);
    assertThat(pr.isPaused()).isFalse();
    assertThat(pr.pendingSnapshot()).isZero();
    assertThat(pr.inflightCount()).isZero();
    assertThat(pr.isLearner()).isFalse();
    assertThat(pr.recentActive()).isFalse();
  }

  @Test
  void probeProgressPausesOnceAProbeIsSent() {
    Progress pr = probe(0, 5);

    pr.probeSent();

    assertThat(pr.isPaused()).isTrue();
  }

  @Test
  void resumeProbeUnpausesAProbe() {
    Progress pr = probe(0, 5);
    pr.probeSent();

    pr.resumeProbe();

    assertThat(pr.isPaused()).isFalse();
  }

  @Test
  void probeIsResumedByAnAcknowledgementThatRaisesMatch() {
    Progress pr = probe(2, 5);
    pr.probeSent();

    assertThat(pr.maybeUpdate(4)).isTrue();

    assertThat(pr.isPaused()).isFalse();
  }

  @Test
  void probeStaysPausedOnAStaleAcknowledgement() {
    Progress pr = probe(2, 5);
    pr.probeSent();

    assertThat(pr.maybeUpdate(2)).isFalse();
    assertThat(pr.maybeUpdate(1)).isFalse();

    assertThat(pr.isPaused()).isTrue();
  }

  @Test
  void replicateProgressPausesWhenInflightWindowIsFull() {
    Progress pr = replicate(5, 6);

    for (long last = 6; last <= 8; last++) {
      assertThat(pr.isPaused()).isFalse();
      pr.optimisticUpdate(last);
      pr.inflights().add(last);
    }

    assertThat(pr.isPaused()).isTrue();
    assertThat(pr.inflightCount()).isEqualTo(3);
    assertThat(pr.next()).isEqualTo(9);

    pr.maybeUpdate(6);
    pr.inflights().freeLE(6);
    assertThat(pr.isPaused()).isFalse();
  }

  @Test
  void replicateProgressIgnoresTheProbeSentFlag() {
    Progress pr = replicate(5, 6);

    pr.probeSent();

    assertThat(pr.isPaused()).isFalse();
  }

  @Test
  void snapshotProgressIsAlwaysPaused() {
    Progress pr = probe(3, 4);

    pr.becomeSnapshot(10);

    assertThat(pr.isPaused()).isTrue();
    pr.resumeProbe();
    assertThat(pr.isPaused()).isTrue();
    pr.maybeUpdate(5);
    assertThat(pr.isPaused()).isTrue();
  }

  @ParameterizedTest(name = "match 3 next 5, ack {0} -> updated {1}, match {2}, next {3}")
  @CsvSource({
      "1, false, 3, 5", // an old ack changes nothing
      "3, false, 3, 5", // same match
      "4, true, 4, 5", // raises match, next already beyond
      "5, true, 5, 6", // raises match and next
      "9, true, 9, 10",
  })
  void maybeUpdateRaisesMatchAndKeepsNextBeyondIt(long ack, boolean updated, long match, long next) {
    Progress pr = probe(3, 5);

    assertThat(pr.maybeUpdate(ack)).isEqualTo(updated);

    assertThat(pr.match()).isEqualTo(match);
    assertThat(pr.next()).isEqualTo(next);
  }

  @Test
  void maybeUpdateNeverLowersNext() {
    Progress pr = replicate(3, 10);

    pr.maybeUpdate(5);

    assertThat(pr.match()).isEqualTo(5);
    assertThat(pr.next()).isEqualTo(10);
  }

  @Test
  void optimisticUpdateMovesNextOnlyNotMatch() {
    Progress pr = replicate(3, 4);

    pr.optimisticUpdate(7);

    assertThat(pr.next()).isEqualTo(8);
    assertThat(pr.match()).isEqualTo(3);
  }

  @Test
  void maybeDecrToInReplicateIgnoresARejectionAtOrBelowMatch() {
    Progress pr = replicate(5, 10);

    assertThat(pr.maybeDecrTo(5, 5)).isFalse();
    assertThat(pr.maybeDecrTo(4, 4)).isFalse();

    assertThat(pr.next()).isEqualTo(10);
    assertThat(pr.match()).isEqualTo(5);
  }

  @Test
  void maybeDecrToInReplicateFallsBackToMatchPlusOne() {
    Progress pr = replicate(5, 10);

    assertThat(pr.maybeDecrTo(9, 9)).isTrue();
    assertThat(pr.next()).isEqualTo(6);

    Progress low = replicate(5, 10);
    assertThat(low.maybeDecrTo(7, 2)).isTrue();
    assertThat(low.next()).as("never below match + 1, whatever the hint").isEqualTo(6);
  }

  @Test
  void maybeDecrToInProbeIgnoresARejectionOfAnythingButTheLastProbe() {
    Progress pr = probe(0, 10);
    pr.probeSent();

    assertThat(pr.maybeDecrTo(5, 5)).isFalse();
    assertThat(pr.maybeDecrTo(10, 5)).isFalse();

    assertThat(pr.next()).isEqualTo(10);
    assertThat(pr.isPaused()).as("a stale rejection does not resume the probe").isTrue();
  }

  @Test
  void maybeDecrToInProbeMovesNextToTheHintPlusOne() {
    Progress pr = probe(0, 10);
    pr.probeSent();

    assertThat(pr.maybeDecrTo(9, 4)).isTrue();

    assertThat(pr.next()).isEqualTo(5);
    assertThat(pr.isPaused()).as("a fresh rejection resumes the probe").isFalse();
  }

  @Test
  void maybeDecrToInProbeNeverMovesNextAboveTheRejectedIndex() {
    Progress pr = probe(0, 10);

    assertThat(pr.maybeDecrTo(9, 20)).isTrue();

    assertThat(pr.next()).isEqualTo(9);
  }

  @Test
  void maybeDecrToInProbeNeverMovesNextBelowMatchPlusOne() {
    Progress pr = probe(3, 10);

    assertThat(pr.maybeDecrTo(9, 1)).isTrue();

    assertThat(pr.next()).isEqualTo(4);
  }

  @Test
  void maybeDecrToWithAZeroHintProbesFromIndexOne() {
    Progress pr = probe(0, 5);

    assertThat(pr.maybeDecrTo(4, 0)).isTrue();

    assertThat(pr.next()).isEqualTo(1);
  }

  @Test
  void maybeDecrToWalksBackOneRejectionAtATime() {
    Progress pr = probe(0, 10);

    assertThat(pr.maybeDecrTo(9, 9)).isTrue();
    assertThat(pr.next()).isEqualTo(9);
    assertThat(pr.maybeDecrTo(9, 9)).as("the same rejection again is stale").isFalse();
    assertThat(pr.maybeDecrTo(8, 8)).isTrue();
    assertThat(pr.next()).isEqualTo(8);
  }

  @Test
  void becomeReplicateResetsNextToMatchPlusOneAndEmptiesTheWindow() {
    Progress pr = replicate(5, 6);
    pr.optimisticUpdate(6);
    pr.inflights().add(6);
    pr.becomeProbe();
    pr.maybeUpdate(7);
    pr.probeSent();

    pr.becomeReplicate();

    assertThat(pr.state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(pr.next()).isEqualTo(8);
    assertThat(pr.inflightCount()).isZero();
    assertThat(pr.isPaused()).isFalse();
  }

  @Test
  void becomeProbeFromReplicateResetsNextToMatchPlusOne() {
    Progress pr = replicate(5, 6);
    for (long last = 6; last <= 8; last++) {
      pr.optimisticUpdate(last);
      pr.inflights().add(last);
    }

    pr.becomeProbe();

    assertThat(pr.state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr.next()).isEqualTo(6);
    assertThat(pr.match()).isEqualTo(5);
    assertThat(pr.inflightCount()).isZero();
    assertThat(pr.isPaused()).isFalse();
  }

  @Test
  void becomeProbeFromSnapshotResumesAfterTheSnapshot() {
    Progress pr = probe(1, 5);
    pr.becomeSnapshot(10);

    pr.becomeProbe();

    assertThat(pr.state()).isEqualTo(ProgressState.PROBE);
    assertThat(pr.next()).isEqualTo(11);
    assertThat(pr.match()).isEqualTo(1);
    assertThat(pr.pendingSnapshot()).isZero();
  }

  @Test
  void becomeProbeFromSnapshotResumesAfterMatchWhenItIsHigher() {
    Progress pr = probe(1, 5);
    pr.becomeSnapshot(10);
    pr.maybeUpdate(12);

    pr.becomeProbe();

    assertThat(pr.next()).isEqualTo(13);
  }

  @Test
  void becomeProbeFromAForgottenSnapshotResumesAfterMatch() {
    Progress pr = probe(4, 5);
    pr.becomeSnapshot(0);

    pr.becomeProbe();

    assertThat(pr.next()).isEqualTo(5);
  }

  @Test
  void becomeSnapshotRecordsThePendingSnapshotAndEmptiesTheWindow() {
    Progress pr = replicate(5, 6);
    pr.optimisticUpdate(6);
    pr.inflights().add(6);

    pr.becomeSnapshot(20);

    assertThat(pr.state()).isEqualTo(ProgressState.SNAPSHOT);
    assertThat(pr.pendingSnapshot()).isEqualTo(20);
    assertThat(pr.inflightCount()).isZero();
    assertThat(pr.match()).isEqualTo(5);
  }

  @Test
  void leavingSnapshotStateClearsThePendingSnapshot() {
    Progress pr = probe(5, 6);
    pr.becomeSnapshot(20);

    pr.becomeReplicate();

    assertThat(pr.pendingSnapshot()).isZero();
    assertThat(pr.next()).isEqualTo(6);
  }

  @Test
  void copyIsIndependentOfTheOriginal() {
    Progress pr = replicate(5, 6);
    pr.optimisticUpdate(6);
    pr.inflights().add(6);
    pr.setRecentActive(true);
    Progress copy = pr.copy();

    pr.maybeUpdate(9);
    pr.inflights().freeLE(9);
    pr.setRecentActive(false);
    pr.setLearner(true);

    assertThat(copy.match()).isEqualTo(5);
    assertThat(copy.next()).isEqualTo(7);
    assertThat(copy.state()).isEqualTo(ProgressState.REPLICATE);
    assertThat(copy.inflightCount()).isEqualTo(1);
    assertThat(copy.recentActive()).isTrue();
    assertThat(copy.isLearner()).isFalse();
  }

  @Test
  void toStringNamesStateMatchAndNext() {
    Progress pr = new Progress(3, 4, 2, true);
    pr.becomeSnapshot(9);

    assertThat(pr.toString()).contains("SNAPSHOT", "match=3", "next=4", "pendingSnapshot=9", "learner");
  }
}
