package io.raftkv.client;

import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * This client's exactly-once session with the cluster: numbers each write with a sequence that its
 * retries keep, tells the cluster which answers it may forget, and holds back new writes while an old
 * one is stuck far behind. Thread-safe; one per client.
 */
final class WriteSession {
  private final long clientId;
  private final SequenceWindow sequences;
  /**
   * A write of this client has been answered, so the cluster has its session: should the cluster evict it,
   * later writes are refused (SESSION_EXPIRED) instead of starting afresh and maybe applying a retry twice.
   */
  private volatile boolean sessionStarted;

  /**
   * @param maxOutstandingSpan how far the newest write's sequence may run ahead of the oldest unanswered
   */
  WriteSession(long clientId, int maxOutstandingSpan) {
    this.clientId = clientId;
    this.sequences = new SequenceWindow(maxOutstandingSpan);
  }

  long clientId() {
    return clientId;
  }

  /**
   * Takes a sequence for {@code unsequenced} (waiting while the window is full; {@code giveUpAfter} is
   * told the wait, to end it at the deadline) and sends it with {@code send}, which may call its supplier
   * once per try: each try carries the latest acknowledgement. The sequence is released once answered.
   */
  CompletableFuture<WriteResponse> write(WriteRequest.Builder unsequenced, WaitLimiter giveUpAfter,
      Function<TryRequest, CompletableFuture<WriteResponse>> send) {
    CompletableFuture<Long> taken = sequences.take();
    if (!taken.isDone()) {
      giveUpAfter.limit(() -> sequences.giveUp(taken));
    }
    return taken.thenCompose(sequence -> {
      WriteRequest.Builder request = unsequenced.setClientId(clientId).setSequence(sequence);
      CompletableFuture<WriteResponse> answer = send.apply(() -> request.setAcknowledgedSequence(
          sequences.acknowledged()).setResumesSession(sessionStarted).build());
      answer.whenComplete((response, failure) -> {
        if (response != null) {
          sessionStarted = true; // the cluster holds a session for this client from now on
        }
        sequences.answered(sequence);
      });
      return answer;
    });
  }

  /** The request of one try, built when the try starts. */
  @FunctionalInterface
  interface TryRequest {
    WriteRequest build();
  }

  /** Ends a wait for a sequence at the call's deadline by running the given give-up then. */
  @FunctionalInterface
  interface WaitLimiter {
    void limit(Runnable giveUp);
  }
}
