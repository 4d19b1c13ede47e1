package io.raftkv.client;

import io.raftkv.api.Error;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;

/**
 * Hands out a client's write sequences (1, 2, 3, ...) and tracks the unanswered ones: the highest
 * sequence below which every answer arrived (sent with each write so the server may forget those
 * answers), and a bound on how far the newest write may run ahead of the oldest unanswered one.
 */
final class SequenceWindow {
  private final int maxSpan;
  private final ConcurrentSkipListSet<Long> unanswered = new ConcurrentSkipListSet<>();
  private long next = 1;

  SequenceWindow(int maxSpan) {
    this.maxSpan = maxSpan;
  }

  /**
   * The next sequence, once fewer than {@code maxSpan} sequences lie between it and the oldest unanswered
   * one.
   *
   * @throws RaftKvException TIMEOUT if that does not happen before {@code deadlineNanos}
   */
  synchronized long take(long deadlineNanos) {
    while (!unanswered.isEmpty() && next - unanswered.first() >= maxSpan) {
      long waitNanos = deadlineNanos - System.nanoTime();
      if (waitNanos <= 0) {
        throw new RaftKvException(Error.Code.TIMEOUT, "write " + unanswered.first() + " of this client is still"
            + " unanswered after " + maxSpan + " newer ones were sent; no new write was sent in time");
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, waitNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RaftKvException(Error.Code.UNAVAILABLE, "interrupted", e);
      }
    }
    long sequence = next++;
    unanswered.add(sequence);
    return sequence;
  }

  /** The write with {@code sequence} got its answer (or its caller gave up on it). */
  synchronized void answered(long sequence) {
    unanswered.remove(sequence);
    notifyAll();
  }

  /** Every sequence at or below this has been answered. */
  synchronized long acknowledged() {
    return unanswered.isEmpty() ? next - 1 : unanswered.first() - 1;
  }
}
