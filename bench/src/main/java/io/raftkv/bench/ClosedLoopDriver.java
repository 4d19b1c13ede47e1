package io.raftkv.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Keeps a fixed number of requests in flight against a {@link KvStore} through its asynchronous API: each
 * answer starts the next request on the same slot (a closed loop), so no thread is spent per request and
 * the offered load is exactly what the store can answer.
 */
public final class ClosedLoopDriver {
  /** Picks the next key's index, or -1 when there is none left. */
  public interface KeyChooser extends IntSupplier {
  }

  /** Distinct error messages kept per run (a message may name a key); the rest are counted together. */
  static final int MAX_ERROR_KINDS = 20;
  static final String OTHER_ERRORS = "other errors (past " + MAX_ERROR_KINDS + " kinds)";

  private final KvStore store;
  private final Workload workload;

  public ClosedLoopDriver(KvStore store, Workload workload) {
    this.store = store;
    this.workload = workload;
  }

  /** {@code op} on uniformly random keys with {@code inFlight} requests out, for {@code runNanos}. */
  public LevelResult run(Operation op, int inFlight, long runNanos) throws InterruptedException {
    int keys = workload.keyCount();
    return drive(op, inFlight, runNanos, () -> ThreadLocalRandom.current().nextInt(keys));
  }

  /** Puts every key once, {@code inFlight} at a time, taking at most {@code limitNanos}. */
  public LevelResult writeEveryKey(int inFlight, long limitNanos) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    int keys = workload.keyCount();
    return drive(Operation.PUT, inFlight, limitNanos, () -> {
      int i = next.getAndIncrement();
      return i < keys ? i : -1;
    });
  }

  private LevelResult drive(Operation op, int inFlight, long runNanos, KeyChooser chooser)
      throws InterruptedException {
    Recorder recorder = new Recorder(LevelResult.MAX_TRACKED_NANOS, 3);
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    Map<String, Long> errorKinds = new ConcurrentHashMap<>();
    CountDownLatch finished = new CountDownLatch(inFlight);
    long start = System.nanoTime();
    long end = start + runNanos;
    for (int i = 0; i < inFlight; i++) {
      new Slot(op, chooser, end, recorder, done, errors, errorKinds, finished).next();
    }
    // A store that stops answering leaves slots waiting on their client's own deadline; give it a bound.
    if (!finished.await(runNanos + TimeUnit.MINUTES.toNanos(2), TimeUnit.NANOSECONDS)) {
      errorKinds.merge("requests still unanswered 2 minutes after the run's end", finished.getCount(), Long::sum);
    }
    long elapsed = System.nanoTime() - start;
    Histogram latencies = LevelResult.newHistogram();
    latencies.add(recorder.getIntervalHistogram());
    return new LevelResult(done.get(), errors.get(), elapsed, latencies, errorKinds);
  }

  /**
   * Counts one failure under its message, cut to 300 characters; past {@link #MAX_ERROR_KINDS} distinct
   * messages, new ones are counted together, so a run's tally stays small whatever the store answers.
   */
  static void countErrorKind(Map<String, Long> errorKinds, String message) {
    String kind = message.length() > 300 ? message.substring(0, 300) + "..." : message;
    if (errorKinds.size() >= MAX_ERROR_KINDS && !errorKinds.containsKey(kind)) {
      kind = OTHER_ERRORS;
    }
    errorKinds.merge(kind, 1L, Long::sum);
  }

  /** One request slot: sends a request, records its latency when answered, sends the next until the end. */
  private final class Slot {
    private final Operation op;
    private final KeyChooser chooser;
    private final long endNanos;
    private final Recorder recorder;
    private final AtomicLong done;
    private final AtomicLong errors;
    private final Map<String, Long> errorKinds;
    private final CountDownLatch finished;

    Slot(Operation op, KeyChooser chooser, long endNanos, Recorder recorder, AtomicLong done, AtomicLong errors,
        Map<String, Long> errorKinds, CountDownLatch finished) {
      this.op = op;
      this.chooser = chooser;
      this.endNanos = endNanos;
      this.recorder = recorder;
      this.done = done;
      this.errors = errors;
      this.errorKinds = errorKinds;
      this.finished = finished;
    }

    /** Sends requests until one is still in flight (its answer calls this again) or the run is over. */
    void next() {
      while (System.nanoTime() < endNanos) {
        int key = chooser.getAsInt();
        if (key < 0) {
          break;
        }
        long sentNanos = System.nanoTime();
        CompletableFuture<?> answer;
        try {
          answer = store.start(op, workload.keys()[key], workload.value());
        } catch (RuntimeException e) {
          answer = CompletableFuture.failedFuture(e);
        }
        if (!answer.isDone()) {
          answer.whenComplete((value, failure) -> {
            record(sentNanos, failure);
            next();
          });
          return;
        }
        record(sentNanos, answer.handle((value, failure) -> failure).join()); // answered at once: no recursion
      }
      finished.countDown();
    }

    private void record(long sentNanos, Throwable failure) {
      if (failure == null) {
        recorder.recordValue(Math.min(System.nanoTime() - sentNanos, LevelResult.MAX_TRACKED_NANOS));
        done.incrementAndGet();
        return;
      }
      errors.incrementAndGet();
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      countErrorKind(errorKinds, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
  }
}
