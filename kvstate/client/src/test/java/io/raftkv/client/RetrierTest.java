package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.Error;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A call's tries against scripted nodes: redirects followed, overload counted, the deadline kept. */
class RetrierTest {
  private static final List<String> ENDPOINTS = List.of("a:1", "b:2");
  private final LeaderTracker leaders = new LeaderTracker(ENDPOINTS);
  private final Retrier retrier = new Retrier(ENDPOINTS, Duration.ofSeconds(30), leaders);
  private final List<String> targets = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    retrier.close();
  }

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  private static <R> R result(CompletableFuture<R> future) throws Exception {
    return future.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aLeaderCallFollowsTheRedirectAndLaterCallsGoStraightThere() throws Exception {
    Attempt<String> attempt = (target, deadline) -> {
      targets.add(target);
      return target.equals("c:3") ? CompletableFuture.completedFuture("ok from " + target)
          : CompletableFuture.failedFuture(new RaftKvException(Error.Code.NOT_LEADER, "ask c", null, "c:3"));
    };
    assertThat(result(retrier.callLeader(in(Duration.ofSeconds(30)), attempt))).isEqualTo("ok from c:3");
    assertThat(targets).containsExactly("a:1", "c:3");
    assertThat(result(retrier.callLeader(in(Duration.ofSeconds(30)), attempt))).isEqualTo("ok from c:3");
    assertThat(targets).containsExactly("a:1", "c:3", "c:3");
  }

  @Test
  void aFailoverSignSendsTheNextTryRoundTheEndpoints() throws Exception {
    leaders.learn(new LeaderNews.At("b:2"));
    Attempt<String> attempt = (target, deadline) -> {
      targets.add(target);
      return targets.size() == 1
          ? CompletableFuture.failedFuture(new RaftKvException(Error.Code.UNAVAILABLE, "gone"))
          : CompletableFuture.completedFuture(target);
    };
    assertThat(result(retrier.callLeader(in(Duration.ofSeconds(30)), attempt))).isEqualTo("a:1");
    assertThat(targets).containsExactly("b:2", "a:1");
    assertThat(leaders.leader()).isNull();
  }

  @Test
  void refusalsAsOverloadedAreRetriedAndCounted() throws Exception {
    Attempt<String> attempt = (target, deadline) -> {
      targets.add(target);
      return targets.size() <= 2
          ? CompletableFuture.failedFuture(new RaftKvException(Error.Code.RESOURCE_EXHAUSTED, "busy"))
          : CompletableFuture.completedFuture("done");
    };
    assertThat(result(retrier.callLeader(in(Duration.ofSeconds(30)), attempt))).isEqualTo("done");
    assertThat(retrier.refusals()).isEqualTo(2);
  }

  @Test
  void aFailureThatIsTheAnswerEndsTheCallAtOnce() {
    Attempt<String> attempt = (target, deadline) -> {
      targets.add(target);
      return CompletableFuture.failedFuture(new RaftKvException(Error.Code.INVALID_ARGUMENT, "key too large"));
    };
    assertThatThrownBy(() -> result(retrier.callAny(in(Duration.ofSeconds(30)), attempt)))
        .isInstanceOf(ExecutionException.class).cause().hasMessage("key too large");
    assertThat(targets).hasSize(1);
  }

  @Test
  void noTryOutlivesTheCallsDeadlineAndTheTimeoutNamesTheLastError() {
    long deadline = in(Duration.ofMillis(200));
    List<Long> attemptDeadlines = new CopyOnWriteArrayList<>();
    Attempt<String> attempt = (target, attemptDeadline) -> {
      attemptDeadlines.add(attemptDeadline);
      return CompletableFuture.failedFuture(new RaftKvException(Error.Code.UNAVAILABLE, "node " + target + " down"));
    };
    assertThatThrownBy(() -> result(retrier.callLeader(deadline, attempt))).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(RaftKvException.class, e -> {
          assertThat(e.code()).isEqualTo(Error.Code.TIMEOUT);
          assertThat(e.getMessage()).contains("[a:1, b:2]").contains("last error: node").contains("down");
        });
    assertThat(attemptDeadlines).isNotEmpty().allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(deadline));
  }

  @Test
  void aCallPastItsDeadlineTimesOutWithoutATry() {
    Attempt<String> attempt = (target, deadline) -> {
      targets.add(target);
      return CompletableFuture.completedFuture("never");
    };
    assertThatThrownBy(() -> result(retrier.callAny(System.nanoTime() - 1, attempt)))
        .cause().isInstanceOfSatisfying(RaftKvException.class,
            e -> assertThat(e.code()).isEqualTo(Error.Code.TIMEOUT));
    assertThat(targets).isEmpty();
  }

  @Test
  void aRetryAfterCloseFailsAsUnavailable() {
    retrier.close();
    Attempt<String> attempt = (target, deadline) ->
        CompletableFuture.failedFuture(new RaftKvException(Error.Code.UNAVAILABLE, "gone"));
    assertThatThrownBy(() -> result(retrier.callLeader(in(Duration.ofSeconds(30)), attempt)))
        .cause().isInstanceOfSatisfying(RaftKvException.class, e -> {
          assertThat(e.code()).isEqualTo(Error.Code.UNAVAILABLE);
          assertThat(e.getMessage()).isEqualTo("the client is closed");
        });
  }
}
