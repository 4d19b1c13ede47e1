package io.raftkv.client;

import io.raftkv.api.Error;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Hands out a client's write sequences (1, 2, 3, ...) and tracks the unanswered ones: the highest
 * sequence below which every answer arrived (sent with each write so the server may forget those
 * answers), and a bound on how far the newest write may run ahead of the oldest unanswered one.
 */
final class SequenceWindow {
  private final int maxSpan;
  private final ConcurrentSkipListSet<Long> unanswered = new ConcurrentSkipListSet<>();
  /** Writes waiting for room, in arrival order: the asynchronous API must never block its caller. */
  private final ArrayDeque<CompletableFuture<Long>> waiting = new ArrayDeque<>();
  private long next = 1;

  SequenceWindow(int maxSpan) {
    this.maxSpan = maxSpan;
  }

  /**
   * The next sequence: at once if fewer than {@code maxSpan} sequences lie between it and the oldest
   * unanswered one, else when an answer makes room (completed on the thread that reports that answer).
   * A caller that gives up on the future first completes it exceptionally; see {@link #giveUp}.
   */
  CompletableFuture<Long> take() {
    CompletableFuture<Long> sequence = new CompletableFuture<>();
    synchronized (this) {
      if (waiting.isEmpty() && hasRoom()) {
        sequence.complete(issue());
        return sequence;
      }
      waiting.addLast(sequence);
    }
    return sequence;
  }

  /** Fails a {@link #take} that is still waiting for room, with the write that holds the window back. */
  void giveUp(CompletableFuture<Long> sequence) {
    long oldest;
    synchronized (this) {
      oldest = unanswered.isEmpty() ? 0 : unanswered.first();
    }
    sequence.completeExceptionally(new RaftKvException(Error.Code.TIMEOUT, "write " + oldest + " of this client is"
        + " still unanswered after " + maxSpan + " newer ones were sent; no new write was sent in time"));
  }

  /** The write with {@code sequence} got its answer (or its caller gave up on it). */
  void answered(long sequence) {
    List<CompletableFuture<Long>> granted = new ArrayList<>();
    List<Long> sequences = new ArrayList<>();
    synchronized (this) {
      unanswered.remove(sequence);
      while (!waiting.isEmpty() && hasRoom()) {
        CompletableFuture<Long> w = waiting.pollFirst();
        if (!w.isDone()) {
          granted.add(w);
          sequences.add(issue());
        }
      }
    }
    // Completing runs the waiting writes' next steps: do it outside the lock.
    for (int i = 0; i < granted.size(); i++) {
      if (!granted.get(i).complete(sequences.get(i))) {
        answered(sequences.get(i)); // its caller gave up meanwhile: the sequence was never sent
      }
    }
  }

  /** Every sequence at or below this has been answered. */
  synchronized long acknowledged() {
    return unanswered.isEmpty() ? next - 1 : unanswered.first() - 1;
  }

  private boolean hasRoom() {
    return unanswered.isEmpty() || next - unanswered.first() < maxSpan;
  }

  private long issue() {
    long sequence = next++;
    unanswered.add(sequence);
    return sequence;
  }
}
