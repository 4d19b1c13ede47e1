package io.raftkv.server.peer;

import io.raftkv.server.node.NodeException;
import io.raftkv.api.Error;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.statemachine.WriteOutcome;
import io.raftkv.server.statemachine.pb.AuthChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Client writes waiting on the raft loop (etcd's pkg/wait): queued until the loop proposes them, then by
 * log index with the term they were proposed in, until applied, taken by another entry, or expired.
 * Loop thread only; every method returns the answers to give rather than giving them.
 */
final class PendingWrites {
  /**
   * A write a client is waiting for, with when it gives up: a client's request, or (with {@code auth} set)
   * a change of users and roles, proposed and answered the same way.
   */
  record Waiter(WriteRequest request, AuthChange auth, CompletableFuture<WriteResponse> future, long deadlineNanos) {
    Waiter(WriteRequest request, CompletableFuture<WriteResponse> future, long deadlineNanos) {
      this(request, null, future, deadlineNanos);
    }
  }

  /** A proposed write: its waiter and the term of the entry it was proposed as. */
  private record Proposed(Waiter waiter, long term) {}

  private final Duration requestTimeout;
  private final List<Waiter> queued = new ArrayList<>();
  private final TreeMap<Long, Proposed> proposed = new TreeMap<>();

  PendingWrites(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
  }

  /** Writes a client sent, to propose at the loop's next turn. */
  void queue(List<Waiter> writes) {
    queued.addAll(writes);
  }

  /** The queued writes, oldest first, handed to the loop to propose (the queue is left empty). */
  List<Waiter> takeQueued() {
    List<Waiter> batch = new ArrayList<>(queued);
    queued.clear();
    return batch;
  }

  /** {@code batch} was proposed as consecutive entries from {@code firstIndex}, all of {@code term}. */
  void proposed(List<Waiter> batch, long firstIndex, long term) {
    long index = firstIndex;
    for (Waiter w : batch) {
      proposed.put(index++, new Proposed(w, term));
    }
  }

  /** Fails every waiter in {@code batch} with {@code error} (a batch that could not be proposed). */
  static List<Completion<?>> failBatch(List<Waiter> batch, NodeException error) {
    List<Completion<?>> out = new ArrayList<>(batch.size());
    batch.forEach(w -> out.add(Completion.failure(w.future(), error)));
    return out;
  }

  /** A command entry at {@code index} of {@code term} applied with {@code outcome}: the answer, if anyone waits. */
  Completion<?> applied(long index, long term, WriteOutcome outcome) {
    Proposed p = proposed.remove(index);
    if (p == null) {
      return null;
    }
    if (p.term != term) {
      return Completion.failure(p.waiter.future(), NodeException.of(Error.Code.STALE_COMMAND,
          "the write's log position was taken by an entry of term " + term + "; it was not applied, retry"));
    }
    if (outcome.error() != null) {
      return Completion.failure(p.waiter.future(), new NodeException(outcome.error()));
    }
    return Completion.success(p.waiter.future(), outcome.response());
  }

  /** A new leader's empty entry of {@code term} took {@code index}: a write waiting there was lost. */
  Completion<?> takenByEmptyEntry(long index, long term) {
    Proposed p = proposed.remove(index);
    return p == null ? null : Completion.failure(p.waiter.future(), NodeException.of(Error.Code.STALE_COMMAND,
        "the write's log position was taken by an entry of term " + term + "; it was not applied, retry"));
  }

  /** A membership change took {@code index}: a write waiting there was lost. */
  Completion<?> takenByConfChange(long index) {
    Proposed p = proposed.remove(index);
    return p == null ? null : Completion.failure(p.waiter.future(), NodeException.of(Error.Code.STALE_COMMAND,
        "the write's log position was taken by a membership change; retry"));
  }

  /** Proposed writes past their deadline at {@code nowNanos}, failed with TIMEOUT and forgotten. */
  List<Completion<?>> expire(long nowNanos) {
    List<Completion<?>> out = new ArrayList<>();
    for (Iterator<Proposed> it = proposed.values().iterator(); it.hasNext(); ) {
      Waiter w = it.next().waiter;
      if (nowNanos > w.deadlineNanos()) {
        out.add(Completion.failure(w.future(), NodeException.of(Error.Code.TIMEOUT,
            "write not applied within " + requestTimeout.toMillis() + " ms; it may still apply")));
        it.remove();
      }
    }
    return out;
  }

  /** Every waiting write, queued or proposed, failed with {@code error} (the node stops). */
  List<Completion<?>> failAll(NodeException error) {
    List<Completion<?>> out = failBatch(queued, error);
    queued.clear();
    proposed.values().forEach(p -> out.add(Completion.failure(p.waiter.future(), error)));
    proposed.clear();
    return out;
  }

  /** How many writes wait, queued or proposed (for tests). */
  int size() {
    return queued.size() + proposed.size();
  }
}
