package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.Error;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Sequences that retries keep, acknowledgements that advance, and a session resumed once answered. */
class WriteSessionTest {
  private static final WriteSession.WaitLimiter NEVER = giveUp -> { };

  /** The tries of one write, as sent; the test answers {@link #answer}. */
  private static final class Sent {
    final List<WriteSession.TryRequest> tries = new ArrayList<>();
    final CompletableFuture<WriteResponse> answer = new CompletableFuture<>();

    CompletableFuture<WriteResponse> send(WriteSession.TryRequest request) {
      tries.add(request);
      return answer;
    }
  }

  @Test
  void eachWriteTakesTheNextSequenceUnderTheClientsId() {
    WriteSession session = new WriteSession(77, 8);
    Sent first = new Sent();
    Sent second = new Sent();
    session.write(WriteRequest.newBuilder(), NEVER, first::send);
    session.write(WriteRequest.newBuilder(), NEVER, second::send);
    WriteRequest a = first.tries.get(0).build();
    WriteRequest b = second.tries.get(0).build();
    assertThat(a.getClientId()).isEqualTo(77);
    assertThat(b.getClientId()).isEqualTo(77);
    assertThat(b.getSequence()).isEqualTo(a.getSequence() + 1);
  }

  @Test
  void aRetryKeepsItsSequenceAndCarriesTheLatestAcknowledgement() {
    WriteSession session = new WriteSession(1, 8);
    Sent first = new Sent();
    Sent second = new Sent();
    session.write(WriteRequest.newBuilder(), NEVER, first::send);
    session.write(WriteRequest.newBuilder(), NEVER, second::send);
    WriteRequest before = second.tries.get(0).build();
    first.answer.complete(WriteResponse.getDefaultInstance());
    WriteRequest retry = second.tries.get(0).build();
    assertThat(retry.getSequence()).isEqualTo(before.getSequence());
    assertThat(retry.getAcknowledgedSequence()).isGreaterThan(before.getAcknowledgedSequence());
    assertThat(retry.getAcknowledgedSequence()).isEqualTo(first.tries.get(0).build().getSequence());
  }

  @Test
  void theSessionIsResumedOnlyAfterAWriteWasAnswered() {
    WriteSession session = new WriteSession(1, 8);
    Sent failed = new Sent();
    session.write(WriteRequest.newBuilder(), NEVER, failed::send);
    failed.answer.completeExceptionally(new RaftKvException(Error.Code.TIMEOUT, "no answer"));
    Sent next = new Sent();
    session.write(WriteRequest.newBuilder(), NEVER, next::send);
    assertThat(next.tries.get(0).build().getResumesSession()).as("no write answered yet").isFalse();
    next.answer.complete(WriteResponse.getDefaultInstance());
    Sent after = new Sent();
    session.write(WriteRequest.newBuilder(), NEVER, after::send);
    assertThat(after.tries.get(0).build().getResumesSession()).isTrue();
  }

  @Test
  void aWriteBeyondTheSpanWaitsForTheOldestAndCanBeGivenUp() {
    WriteSession session = new WriteSession(1, 2);
    Sent oldest = new Sent();
    session.write(WriteRequest.newBuilder(), NEVER, oldest::send);
    session.write(WriteRequest.newBuilder(), NEVER, new Sent()::send);
    List<Runnable> giveUps = new ArrayList<>();
    Sent held = new Sent();
    CompletableFuture<WriteResponse> heldAnswer = session.write(WriteRequest.newBuilder(), giveUps::add, held::send);
    assertThat(held.tries).as("not sent while the span is full").isEmpty();
    assertThat(giveUps).hasSize(1);
    giveUps.get(0).run();
    assertThat(heldAnswer).isCompletedExceptionally();
    assertThat(held.tries).isEmpty();
  }

  @Test
  void aHeldWriteGoesOutOnceTheOldestIsAnswered() {
    WriteSession session = new WriteSession(1, 2);
    Sent oldest = new Sent();
    session.write(WriteRequest.newBuilder(), NEVER, oldest::send);
    session.write(WriteRequest.newBuilder(), NEVER, new Sent()::send);
    Sent held = new Sent();
    session.write(WriteRequest.newBuilder(), NEVER, held::send);
    assertThat(held.tries).isEmpty();
    oldest.answer.complete(WriteResponse.getDefaultInstance());
    assertThat(held.tries).hasSize(1);
  }
}
