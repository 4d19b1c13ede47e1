package io.raftkv.server.peer;

import io.raftkv.server.node.NodeException;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Reads go from "to confirm" to "awaiting the read index" to "awaiting apply", and are answered in index order. */
class PendingReadsTest {
  private final PendingReads reads = new PendingReads();

  private static PendingReads.Waiter waiter(long deadlineNanos) {
    return new PendingReads.Waiter(new CompletableFuture<>(), deadlineNanos);
  }

  private static Error.Code code(CompletableFuture<?> f) {
    return ((NodeException) f.handle((v, e) -> e).join()).error().getCode();
  }

  @Test
  void aConfirmedReadCompletesOnceItsIndexIsApplied() {
    PendingReads.Waiter r = waiter(100);
    reads.add(r);
    ByteString ctx = reads.startConfirming();
    assertThat(reads.hasUnconfirmed()).isFalse();
    reads.confirmed(ctx, 5);
    assertThat(reads.applied(4)).isEmpty();
    reads.applied(5).forEach(Runnable::run);
    assertThat(r.future().join()).isEqualTo(5L);
  }

  @Test
  void eachConfirmationRoundHasItsOwnContext() {
    reads.add(waiter(100));
    ByteString first = reads.startConfirming();
    reads.add(waiter(100));
    assertThat(reads.startConfirming()).isNotEqualTo(first);
    assertThat(reads.startConfirming()).isNull();
  }

  @Test
  void readsCompleteInIndexOrder() {
    PendingReads.Waiter high = waiter(100);
    PendingReads.Waiter low = waiter(100);
    reads.add(high);
    ByteString highCtx = reads.startConfirming();
    reads.add(low);
    ByteString lowCtx = reads.startConfirming();
    reads.confirmed(highCtx, 9);
    reads.confirmed(lowCtx, 3);
    List<Long> order = new ArrayList<>();
    reads.applied(10).forEach(c -> {
      c.run();
      order.add((Long) c.value());
    });
    assertThat(order).containsExactly(3L, 9L);
    assertThat(high.future().join()).isEqualTo(9L);
  }

  @Test
  void aLeaderChangeFailsReadsAwaitingTheirIndexButNotReadsAwaitingApply() {
    PendingReads.Waiter confirmed = waiter(100);
    PendingReads.Waiter unanswered = waiter(100);
    reads.add(confirmed);
    reads.confirmed(reads.startConfirming(), 4);
    reads.add(unanswered);
    reads.startConfirming();
    reads.leaderChanged(NodeException.of(Error.Code.NOT_LEADER, "new leader")).forEach(Runnable::run);
    assertThat(code(unanswered.future())).isEqualTo(Error.Code.NOT_LEADER);
    assertThat(confirmed.future()).isNotDone();
  }

  @Test
  void aReadExpiresOnlyPastItsDeadlineWhereverItWaits() {
    PendingReads.Waiter awaitingIndex = waiter(100);
    PendingReads.Waiter awaitingApply = waiter(100);
    PendingReads.Waiter later = waiter(300);
    reads.add(awaitingApply);
    reads.confirmed(reads.startConfirming(), 8);
    reads.add(awaitingIndex);
    reads.add(later);
    reads.startConfirming();
    assertThat(reads.expire(100)).isEmpty();
    reads.expire(101).forEach(Runnable::run);
    assertThat(code(awaitingIndex.future())).isEqualTo(Error.Code.TIMEOUT);
    assertThat(code(awaitingApply.future())).isEqualTo(Error.Code.TIMEOUT);
    assertThat(later.future()).isNotDone();
  }

  @Test
  void failAllAndFailUnconfirmedAnswerEveryWaitingRead() {
    PendingReads.Waiter unconfirmed = waiter(100);
    reads.add(unconfirmed);
    reads.failUnconfirmed(NodeException.of(Error.Code.NOT_LEADER, "no leader")).forEach(Runnable::run);
    assertThat(code(unconfirmed.future())).isEqualTo(Error.Code.NOT_LEADER);
    PendingReads.Waiter a = waiter(100);
    PendingReads.Waiter b = waiter(100);
    PendingReads.Waiter c = waiter(100);
    reads.add(a);
    reads.confirmed(reads.startConfirming(), 2);
    reads.add(b);
    reads.startConfirming();
    reads.add(c);
    reads.failAll(NodeException.of(Error.Code.UNAVAILABLE, "stopping")).forEach(Runnable::run);
    assertThat(List.of(code(a.future()), code(b.future()), code(c.future()))).containsOnly(Error.Code.UNAVAILABLE);
    assertThat(reads.applied(Long.MAX_VALUE)).isEmpty();
  }
}
