package io.raftkv.server.peer;

import io.raftkv.server.node.NodeException;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.Error;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.statemachine.WriteOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Writes wait by log index and term; the table answers through the completions it returns, never itself. */
class PendingWritesTest {
  private final PendingWrites writes = new PendingWrites(Duration.ofMillis(500));

  private static PendingWrites.Waiter waiter(long deadlineNanos) {
    return new PendingWrites.Waiter(WriteRequest.getDefaultInstance(), new CompletableFuture<>(), deadlineNanos);
  }

  private static Error.Code code(CompletableFuture<?> f) {
    return ((NodeException) f.handle((v, e) -> e).join()).error().getCode();
  }

  @Test
  void aWriteAppliedInTheTermItWasProposedInGetsItsResponseOnlyWhenTheLoopRunsTheCompletion() {
    PendingWrites.Waiter w = waiter(100);
    writes.queue(List.of(w));
    writes.proposed(writes.takeQueued(), 7, 3);
    WriteResponse response = WriteResponse.newBuilder().build();
    Completion<?> done = writes.applied(7, 3, new WriteOutcome(response, null));
    assertThat(w.future()).isNotDone();
    done.run();
    assertThat(w.future().join()).isSameAs(response);
    assertThat(writes.size()).isZero();
  }

  @Test
  void anIndexTakenByAnotherTermsEntryIsStaleCommand() {
    PendingWrites.Waiter w = waiter(100);
    writes.proposed(List.of(w), 7, 3);
    writes.applied(7, 4, new WriteOutcome(WriteResponse.getDefaultInstance(), null)).run();
    assertThat(code(w.future())).isEqualTo(Error.Code.STALE_COMMAND);
    assertThat(w.future().handle((v, e) -> e.getMessage()).join()).contains("entry of term 4");
  }

  @Test
  void anIndexTakenByAnEmptyEntryOrAConfChangeIsStaleCommand() {
    PendingWrites.Waiter a = waiter(100);
    PendingWrites.Waiter b = waiter(100);
    writes.proposed(List.of(a, b), 7, 3);
    writes.takenByEmptyEntry(7, 4).run();
    writes.takenByConfChange(8).run();
    assertThat(code(a.future())).isEqualTo(Error.Code.STALE_COMMAND);
    assertThat(code(b.future())).isEqualTo(Error.Code.STALE_COMMAND);
    assertThat(writes.takenByEmptyEntry(9, 4)).isNull();
  }

  @Test
  void anOutcomeErrorReachesTheClient() {
    PendingWrites.Waiter w = waiter(100);
    writes.proposed(List.of(w), 1, 1);
    Error error = Error.newBuilder().setCode(Error.Code.INVALID_ARGUMENT).setMessage("bad").build();
    writes.applied(1, 1, new WriteOutcome(null, error)).run();
    assertThat(code(w.future())).isEqualTo(Error.Code.INVALID_ARGUMENT);
  }

  @Test
  void consecutiveProposalsTakeConsecutiveIndexesAndCompleteInIndexOrder() {
    List<PendingWrites.Waiter> batch = List.of(waiter(100), waiter(100), waiter(100));
    writes.proposed(batch, 10, 2);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      batch.get(i).future().thenRun(() -> order.add(n));
    }
    for (long index = 10; index <= 12; index++) {
      writes.applied(index, 2, new WriteOutcome(WriteResponse.getDefaultInstance(), null)).run();
    }
    assertThat(order).containsExactly(0, 1, 2);
  }

  @Test
  void aWriteExpiresOnlyPastItsDeadline() {
    PendingWrites.Waiter early = waiter(100);
    PendingWrites.Waiter late = waiter(200);
    writes.proposed(List.of(early, late), 1, 1);
    assertThat(writes.expire(100)).isEmpty();
    List<Completion<?>> expired = writes.expire(101);
    assertThat(expired).hasSize(1);
    expired.forEach(Runnable::run);
    assertThat(code(early.future())).isEqualTo(Error.Code.TIMEOUT);
    assertThat(early.future().handle((v, e) -> e.getMessage()).join()).contains("500 ms");
    assertThat(late.future()).isNotDone();
    assertThat(writes.size()).isEqualTo(1);
  }

  @Test
  void failAllAnswersQueuedAndProposedWrites() {
    PendingWrites.Waiter queued = waiter(100);
    PendingWrites.Waiter proposed = waiter(100);
    writes.queue(List.of(queued));
    writes.proposed(List.of(proposed), 1, 1);
    writes.failAll(NodeException.of(Error.Code.UNAVAILABLE, "stopping")).forEach(Runnable::run);
    assertThat(code(queued.future())).isEqualTo(Error.Code.UNAVAILABLE);
    assertThat(code(proposed.future())).isEqualTo(Error.Code.UNAVAILABLE);
    assertThat(writes.size()).isZero();
  }
}
