package io.raftkv.server.peer;

import io.raftkv.server.node.NodeException;
import io.raftkv.api.Error;
import io.raftkv.api.Member;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Membership changes waiting on the raft loop, by log index with the term they were proposed in. Loop
 * thread only; every method returns the answers to give rather than giving them.
 */
final class PendingConfChanges {
  /** A proposed membership change: its term, its caller and when the caller gives up. */
  private record Waiter(long term, CompletableFuture<List<Member>> future, long deadlineNanos) {}

  private final TreeMap<Long, Waiter> byIndex = new TreeMap<>();

  /** A change was proposed as the entry at {@code index} of {@code term}. */
  void proposed(long index, long term, CompletableFuture<List<Member>> future, long deadlineNanos) {
    byIndex.put(index, new Waiter(term, future, deadlineNanos));
  }

  /**
   * The conf change entry at {@code index} of {@code term} applied, leaving {@code members}: the answer, if
   * anyone waits (STALE_COMMAND when another term's entry took the position).
   */
  Completion<?> applied(long index, long term, List<Member> members) {
    Waiter w = byIndex.remove(index);
    if (w == null) {
      return null;
    }
    if (w.term == term) {
      return Completion.success(w.future, members);
    }
    return Completion.failure(w.future, NodeException.of(Error.Code.STALE_COMMAND,
        "the membership change's log position was taken by another term's entry; retry"));
  }

  /** A new leader's empty entry of {@code term} took {@code index}: a change waiting there was lost. */
  Completion<?> takenByEmptyEntry(long index, long term) {
    Waiter w = byIndex.remove(index);
    return w == null ? null : Completion.failure(w.future, NodeException.of(Error.Code.STALE_COMMAND,
        "the membership change's log position was taken by an entry of term " + term + "; retry"));
  }

  /** Changes past their deadline at {@code nowNanos}, failed with TIMEOUT and forgotten. */
  List<Completion<?>> expire(long nowNanos) {
    List<Completion<?>> out = new ArrayList<>();
    for (Iterator<Waiter> it = byIndex.values().iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (nowNanos > w.deadlineNanos) {
        out.add(Completion.failure(w.future, NodeException.of(Error.Code.TIMEOUT, "membership change timed out")));
        it.remove();
      }
    }
    return out;
  }

  /** Every waiting change failed with {@code error} (the node stops). */
  List<Completion<?>> failAll(NodeException error) {
    List<Completion<?>> out = new ArrayList<>(byIndex.size());
    byIndex.values().forEach(w -> out.add(Completion.failure(w.future, error)));
    byIndex.clear();
    return out;
  }
}
