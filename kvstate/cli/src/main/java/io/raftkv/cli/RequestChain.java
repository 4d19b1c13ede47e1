package io.raftkv.cli;

import com.google.protobuf.ByteString;
import io.raftkv.client.RaftKvException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.LongStream;

/**
 * One request slot of a closed-loop benchmark: sends a request on a random key and, when it is answered,
 * the next, until the run's end; records each answer's latency and counts failures by kind. Answers
 * complete the chain on the client's thread, so a run spends no thread per request in flight.
 */
final class RequestChain {
  private static final int MAX_ERROR_KIND_CHARS = 160;

  /** What the chains of one run share: their counters, the latch their ends count down, failures by kind. */
  record Run(long endNanos, AtomicLong done, AtomicLong errors, CountDownLatch finished,
      Map<String, Integer> errorKinds) {}

  private final Function<ByteString, CompletableFuture<?>> request;
  private final ByteString[] keys;
  private final Run run;
  private long[] latencies = new long[256];
  private int count;
  /** Answers after {@link #closeLatencies} are no longer counted: a step counts what completed within it. */
  private boolean closed;

  RequestChain(Function<ByteString, CompletableFuture<?>> request, ByteString[] keys, Run run) {
    this.request = request;
    this.keys = keys;
    this.run = run;
  }

  /** Keys {@code prefix0} .. {@code prefix(n-1)}. */
  static ByteString[] keys(String prefix, int n) {
    ByteString[] keys = new ByteString[n];
    for (int i = 0; i < n; i++) {
      keys[i] = ByteString.copyFromUtf8(prefix + i);
    }
    return keys;
  }

  /** Sends requests until one is still in flight (its answer calls this again) or the run is over. */
  void next() {
    while (System.nanoTime() < run.endNanos()) {
      long sentNanos = System.nanoTime();
      CompletableFuture<?> answer = request.apply(keys[ThreadLocalRandom.current().nextInt(keys.length)]);
      if (!answer.isDone()) {
        answer.whenComplete((value, failure) -> {
          record(sentNanos, failure);
          next();
        });
        return;
      }
      record(sentNanos, answer.handle((value, failure) -> failure).join()); // answered at once: no recursion
    }
    run.finished().countDown();
  }

  /** The latencies recorded so far, in nanoseconds; answers from now on are not counted. */
  synchronized LongStream closeLatencies() {
    closed = true;
    return Arrays.stream(latencies, 0, count);
  }

  private synchronized void record(long sentNanos, Throwable failure) {
    if (failure == null) {
      if (closed) {
        return;
      }
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = System.nanoTime() - sentNanos;
      run.done().incrementAndGet();
      return;
    }
    run.errors().incrementAndGet();
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    String kind = cause instanceof RaftKvException e ? e.code() + ": " + e.getMessage() : cause.toString();
    run.errorKinds().merge(kind.length() > MAX_ERROR_KIND_CHARS ? kind.substring(0, MAX_ERROR_KIND_CHARS) + "..." : kind,
        1, Integer::sum);
  }

  /** The {@code p} quantile of {@code sorted} latencies in milliseconds, NaN if there are none. */
  static double percentileMillis(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }
}
