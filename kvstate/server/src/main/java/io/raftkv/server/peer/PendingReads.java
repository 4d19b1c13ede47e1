package io.raftkv.server.peer;

import io.raftkv.server.node.NodeException;
import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import io.raftkv.server.storage.Keys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Linearizable reads waiting on the raft loop: to be confirmed (ReadIndex), waiting for the leader's
 * answer by request context, then waiting for this node to apply the read index. Loop thread only; every
 * method returns the answers to give rather than giving them.
 */
final class PendingReads {
  /** A read a client is waiting for, with when it gives up. */
  record Waiter(CompletableFuture<Long> future, long deadlineNanos) {}

  private final List<Waiter> toConfirm = new ArrayList<>();
  private final Map<ByteString, List<Waiter>> awaitingIndex = new HashMap<>();
  private final TreeMap<Long, List<Waiter>> awaitingApply = new TreeMap<>();
  private long contextCounter;

  /** A read a client sent, to confirm at the loop's next turn. */
  void add(Waiter read) {
    toConfirm.add(read);
  }

  /** Whether reads wait for the loop to ask for a read index. */
  boolean hasUnconfirmed() {
    return !toConfirm.isEmpty();
  }

  /**
   * Moves the reads to confirm under a new request context and returns it, for the loop to pass to
   * ReadIndex; null when none wait.
   */
  ByteString startConfirming() {
    if (toConfirm.isEmpty()) {
      return null;
    }
    ByteString ctx = ByteString.copyFrom(Keys.u64(++contextCounter));
    awaitingIndex.put(ctx, new ArrayList<>(toConfirm));
    toConfirm.clear();
    return ctx;
  }

  /** Fails the reads to confirm with {@code error} (no leader to confirm them). */
  List<Completion<?>> failUnconfirmed(NodeException error) {
    List<Completion<?>> out = fail(toConfirm, error);
    toConfirm.clear();
    return out;
  }

  /** The leader confirmed the reads sent under {@code ctx} at {@code index}: they now wait for its apply. */
  void confirmed(ByteString ctx, long index) {
    List<Waiter> reads = awaitingIndex.remove(ctx);
    if (reads != null) {
      awaitingApply.computeIfAbsent(index, k -> new ArrayList<>()).addAll(reads);
    }
  }

  /** The leader changed: reads sent to the old one may never be answered, so fail them (clients retry). */
  List<Completion<?>> leaderChanged(NodeException error) {
    List<Completion<?>> out = new ArrayList<>();
    awaitingIndex.values().forEach(group -> out.addAll(fail(group, error)));
    awaitingIndex.clear();
    return out;
  }

  /** Reads whose index is applied by {@code appliedIndex}, completed with their index, lowest first. */
  List<Completion<?>> applied(long appliedIndex) {
    List<Completion<?>> out = new ArrayList<>();
    while (!awaitingApply.isEmpty() && awaitingApply.firstKey() <= appliedIndex) {
      long index = awaitingApply.firstKey();
      for (Waiter r : awaitingApply.remove(index)) {
        out.add(Completion.success(r.future(), index));
      }
    }
    return out;
  }

  /** Confirmed or applying reads past their deadline at {@code nowNanos}, failed with TIMEOUT and forgotten. */
  List<Completion<?>> expire(long nowNanos) {
    List<Completion<?>> out = new ArrayList<>();
    expire(awaitingIndex.values(), nowNanos, out);
    expire(awaitingApply.values(), nowNanos, out);
    return out;
  }

  private static void expire(Iterable<List<Waiter>> groups, long nowNanos, List<Completion<?>> out) {
    for (Iterator<List<Waiter>> git = groups.iterator(); git.hasNext(); ) {
      List<Waiter> group = git.next();
      group.removeIf(r -> {
        if (nowNanos > r.deadlineNanos()) {
          out.add(Completion.failure(r.future(), NodeException.of(Error.Code.TIMEOUT, "read not confirmed in time")));
          return true;
        }
        return false;
      });
      if (group.isEmpty()) {
        git.remove();
      }
    }
  }

  /** Every waiting read failed with {@code error} (the node stops). */
  List<Completion<?>> failAll(NodeException error) {
    List<Completion<?>> out = failUnconfirmed(error);
    awaitingIndex.values().forEach(g -> out.addAll(fail(g, error)));
    awaitingIndex.clear();
    awaitingApply.values().forEach(g -> out.addAll(fail(g, error)));
    awaitingApply.clear();
    return out;
  }

  private static List<Completion<?>> fail(List<Waiter> reads, NodeException error) {
    List<Completion<?>> out = new ArrayList<>(reads.size());
    reads.forEach(r -> out.add(Completion.failure(r.future(), error)));
    return out;
  }
}
