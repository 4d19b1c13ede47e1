package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.Error;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which failures a call retries, toward whom, and how long it waits: pure, with a seeded random. */
class RetryPolicyTest {
  private static RetryPolicy leaderCall() {
    return new RetryPolicy(true, new Random(42));
  }

  private static RetryPolicy anyNodeCall() {
    return new RetryPolicy(false, new Random(42));
  }

  private static RaftKvException failure(Error.Code code) {
    return new RaftKvException(code, code + " from test");
  }

  private static RetryDecision.Retry retry(RetryDecision decision) {
    assertThat(decision).isInstanceOf(RetryDecision.Retry.class);
    return (RetryDecision.Retry) decision;
  }

  @Test
  void leaderCallsRetryFailoverSignsAndForgetTheLeader() {
    for (Error.Code code : List.of(Error.Code.UNAVAILABLE, Error.Code.TIMEOUT, Error.Code.STALE_COMMAND,
        Error.Code.UNKNOWN)) {
      RetryDecision.Retry r = retry(leaderCall().decide(failure(code)));
      assertThat(r.leader()).as(code.name()).isEqualTo(LeaderNews.UNKNOWN);
      assertThat(r.delayMillis()).as(code.name()).isBetween(5L, 10L);
      assertThat(r.refusedAsOverloaded()).isFalse();
    }
  }

  @Test
  void notLeaderNamingTheLeaderRedirectsThereAtOnce() {
    RetryDecision.Retry r = retry(leaderCall().decide(
        new RaftKvException(Error.Code.NOT_LEADER, "not leader", null, "10.0.0.2:7001")));
    assertThat(r.leader()).isEqualTo(new LeaderNews.At("10.0.0.2:7001"));
    assertThat(r.delayMillis()).isZero();
  }

  @Test
  void notLeaderWithoutAHintForgetsTheLeaderAndBacksOff() {
    RetryDecision.Retry r = retry(leaderCall().decide(failure(Error.Code.NOT_LEADER)));
    assertThat(r.leader()).isEqualTo(LeaderNews.UNKNOWN);
    assertThat(r.delayMillis()).isBetween(5L, 10L);
  }

  @Test
  void answersThatAreTheCallersOwnAreNotRetriedByLeaderCalls() {
    for (Error.Code code : List.of(Error.Code.INVALID_ARGUMENT, Error.Code.APPLY_REFUSED,
        Error.Code.SESSION_EXPIRED, Error.Code.COMPACTED, Error.Code.OUT_OF_RANGE)) {
      assertThat(leaderCall().decide(failure(code))).as(code.name()).isEqualTo(RetryDecision.GIVE_UP);
    }
  }

  @Test
  void anyNodeCallsRetryAllButInvalidArgumentAndKeepTheLeader() {
    assertThat(anyNodeCall().decide(failure(Error.Code.INVALID_ARGUMENT))).isEqualTo(RetryDecision.GIVE_UP);
    for (Error.Code code : List.of(Error.Code.NOT_LEADER, Error.Code.UNAVAILABLE, Error.Code.TIMEOUT,
        Error.Code.APPLY_REFUSED)) {
      RetryDecision.Retry r = retry(anyNodeCall().decide(failure(code)));
      assertThat(r.leader()).as(code.name()).isEqualTo(LeaderNews.UNCHANGED);
      assertThat(r.delayMillis()).as(code.name()).isBetween(5L, 10L);
    }
  }

  @Test
  void overloadIsRetriedAtTheSameNodeAfterALongerWaitAndCounted() {
    for (RetryPolicy policy : List.of(leaderCall(), anyNodeCall())) {
      RetryDecision.Retry r = retry(policy.decide(failure(Error.Code.RESOURCE_EXHAUSTED)));
      assertThat(r.leader()).isEqualTo(LeaderNews.UNCHANGED);
      assertThat(r.refusedAsOverloaded()).isTrue();
      assertThat(r.delayMillis()).isBetween(50L, 100L);
    }
  }

  @Test
  void aRequestThatNeverLeftTheQueueWaitsAsAfterOverloadButIsNoRefusal() {
    RaftKvException queued = new RaftKvException(Error.Code.TIMEOUT, "queued",
        new CallBatcher.QueuedTooLong("waited too long"));
    RetryDecision.Retry r = retry(leaderCall().decide(queued));
    assertThat(r.leader()).as("the leader is not suspected").isEqualTo(LeaderNews.UNCHANGED);
    assertThat(r.refusedAsOverloaded()).isFalse();
    assertThat(r.delayMillis()).isBetween(50L, 100L);
  }

  @Test
  void failoverBackoffDoublesFromFiveToTenMillisUpToAHalfSecondCap() {
    RetryPolicy policy = leaderCall();
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      delays.add(retry(policy.decide(failure(Error.Code.UNAVAILABLE))).delayMillis());
    }
    long[] ceilings = {10, 20, 40, 80, 160, 320, 500, 500, 500, 500, 500, 500};
    for (int i = 0; i < ceilings.length; i++) {
      assertThat(delays.get(i)).as("wait " + i).isBetween(ceilings[i] / 2, ceilings[i]);
    }
  }

  @Test
  void overloadBackoffDoublesFromFiftyToOneHundredMillisUpToASecondCap() {
    RetryPolicy policy = leaderCall();
    long[] ceilings = {100, 200, 400, 800, 1000, 1000, 1000, 1000};
    for (int i = 0; i < ceilings.length; i++) {
      long delay = retry(policy.decide(failure(Error.Code.RESOURCE_EXHAUSTED))).delayMillis();
      assertThat(delay).as("wait " + i).isBetween(ceilings[i] / 2, ceilings[i]);
    }
  }

  @Test
  void overloadAndFailoverBackoffsGrowApart() {
    RetryPolicy policy = leaderCall();
    for (int i = 0; i < 5; i++) {
      policy.decide(failure(Error.Code.RESOURCE_EXHAUSTED));
    }
    assertThat(retry(policy.decide(failure(Error.Code.UNAVAILABLE))).delayMillis())
        .as("the first failover wait after many refusals").isBetween(5L, 10L);
  }

  @Test
  void aSeededPolicyWaitsTheSameEachRun() {
    RetryPolicy a = leaderCall();
    RetryPolicy b = leaderCall();
    for (int i = 0; i < 10; i++) {
      assertThat(retry(a.decide(failure(Error.Code.TIMEOUT))).delayMillis())
          .isEqualTo(retry(b.decide(failure(Error.Code.TIMEOUT))).delayMillis());
    }
  }

  @Test
  void noTryStartsAtOrPastTheCallsDeadline() {
    long deadline = 1_000_000_000L;
    assertThat(RetryPolicy.mayTry(deadline - 1, deadline)).isTrue();
    assertThat(RetryPolicy.mayTry(deadline, deadline)).isFalse();
    assertThat(RetryPolicy.mayTry(deadline + 1, deadline)).isFalse();
  }

  @Test
  void aTryEndsByTheCallsDeadlineAndLastsAtMostThreeSeconds() {
    long now = 5_000_000_000L;
    long threeSeconds = TimeUnit.SECONDS.toNanos(3);
    assertThat(RetryPolicy.attemptDeadline(now, now + TimeUnit.SECONDS.toNanos(20))).isEqualTo(now + threeSeconds);
    assertThat(RetryPolicy.attemptDeadline(now, now + 1_000)).isEqualTo(now + 1_000);
  }
}
