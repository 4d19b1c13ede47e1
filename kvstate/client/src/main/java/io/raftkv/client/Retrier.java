package io.raftkv.client;

import io.raftkv.api.Error;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs a call's tries until an answer or the deadline: each try goes where the {@link LeaderTracker} says,
 * each failure is judged by a {@link RetryPolicy}, and the next try runs after its back-off on the retry
 * thread, so no caller's thread sleeps and the async API never blocks. Thread-safe; one per client.
 */
final class Retrier implements AutoCloseable {
  private final List<String> endpoints;
  private final Duration deadline;
  private final LeaderTracker leaders;
  private final LongAdder refusals = new LongAdder();
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "raftkv-client-retry");
    t.setDaemon(true);
    return t;
  });

  Retrier(List<String> endpoints, Duration deadline, LeaderTracker leaders) {
    this.endpoints = List.copyOf(endpoints);
    this.deadline = deadline;
    this.leaders = leaders;
  }

  /**
   * Calls the leader, following NOT_LEADER redirects and retrying retryable failures (unavailable node,
   * stale command, per-attempt timeout, overload) with the same request until the deadline.
   */
  <R> CompletableFuture<R> callLeader(long deadlineNanos, Attempt<R> attempt) {
    return new Call<>(true, deadlineNanos, attempt).start();
  }

  /** Calls the endpoints in turn until one answers, retrying all but INVALID_ARGUMENT until the deadline. */
  <R> CompletableFuture<R> callAny(long deadlineNanos, Attempt<R> attempt) {
    return new Call<>(false, deadlineNanos, attempt).start();
  }

  /** Runs {@code task} after {@code delayNanos} on the retry thread. */
  void schedule(Runnable task, long delayNanos) {
    retries.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** How many tries a node refused as overloaded (RESOURCE_EXHAUSTED). */
  long refusals() {
    return refusals.sum();
  }

  @Override
  public void close() {
    retries.shutdownNow();
  }

  /** One call's tries: the next one after a back-off, until an answer or the deadline. */
  private final class Call<R> {
    private final boolean leaderOnly;
    private final long deadlineNanos;
    private final Attempt<R> attempt;
    private final RetryPolicy policy;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private RaftKvException last;

    Call(boolean leaderOnly, long deadlineNanos, Attempt<R> attempt) {
      this.leaderOnly = leaderOnly;
      this.deadlineNanos = deadlineNanos;
      this.attempt = attempt;
      this.policy = new RetryPolicy(leaderOnly, Backoff.THREAD_LOCAL_JITTER);
    }

    CompletableFuture<R> start() {
      tryOnce();
      return result;
    }

    private void tryOnce() {
      long now = System.nanoTime();
      if (!RetryPolicy.mayTry(now, deadlineNanos)) {
        result.completeExceptionally(new RaftKvException(Error.Code.TIMEOUT, (leaderOnly ? "no answer from the cluster "
            : "no node of ") + endpoints + (leaderOnly ? "" : " answered") + " within " + deadline.toMillis() + " ms"
            + (last == null ? "" : "; last error: " + last.getMessage()), last));
        return;
      }
      String target = leaders.target(leaderOnly);
      CompletableFuture<R> answer;
      try {
        answer = attempt.call(target, RetryPolicy.attemptDeadline(now, deadlineNanos));
      } catch (RaftKvException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete((value, failure) -> {
        if (failure == null) {
          result.complete(value);
        } else {
          onFailure(target, Futures.unwrap(failure));
        }
      });
    }

    private void onFailure(String target, Throwable failure) {
      if (!(failure instanceof RaftKvException e)) {
        result.completeExceptionally(failure);
        return;
      }
      last = e;
      RetryDecision decision = policy.decide(e, target);
      if (!(decision instanceof RetryDecision.Retry retry)) {
        result.completeExceptionally(e);
        return;
      }
      if (retry.refusedAsOverloaded()) {
        refusals.increment();
      }
      leaders.learn(retry.leader());
      try {
        retries.schedule(this::tryOnce, retry.delayMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        result.completeExceptionally(new RaftKvException(Error.Code.UNAVAILABLE, "the client is closed", last));
      }
    }
  }
}
