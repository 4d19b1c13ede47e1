package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.Error;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's write sequences: acknowledged sequence and the bound on outstanding span. */
class SequenceWindowTest {
  private static long take(SequenceWindow window) {
    CompletableFuture<Long> sequence = window.take();
    assertThat(sequence).isDone();
    return sequence.join();
  }

  @Test
  void acknowledgedIsJustBelowTheOldestUnansweredWrite() {
    SequenceWindow window = new SequenceWindow(100);
    long first = take(window);
    long second = take(window);
    long third = take(window);
    assertThat(window.acknowledged()).isZero();
    window.answered(second);
    assertThat(window.acknowledged()).isZero(); // 1 is still out
    window.answered(first);
    assertThat(window.acknowledged()).isEqualTo(second);
    window.answered(third);
    assertThat(window.acknowledged()).isEqualTo(third);
  }

  @Test
  void newWritesWaitWhileTheOldestUnansweredIsAFullSpanBehind() throws Exception {
    SequenceWindow window = new SequenceWindow(4);
    long stuck = take(window);
    for (int i = 0; i < 3; i++) {
      window.answered(take(window));
    }
    // Sequences 2-4 were answered, 1 was not: a 5th would run 4 ahead of it, so it waits (never blocks).
    CompletableFuture<Long> fifth = window.take();
    CompletableFuture<Long> sixth = window.take();
    assertThat(fifth).isNotDone();
    assertThat(sixth).isNotDone();
    window.answered(stuck);
    assertThat(fifth.get(5, TimeUnit.SECONDS)).isEqualTo(5);
    assertThat(sixth.get(5, TimeUnit.SECONDS)).isEqualTo(6);
  }

  @Test
  void aWriteThatGaveUpWaitingNamesTheWriteHoldingTheWindowAndTakesNoSequence() {
    SequenceWindow window = new SequenceWindow(2);
    long stuck = take(window);
    window.answered(take(window));
    CompletableFuture<Long> waiting = window.take();
    window.giveUp(waiting);
    assertThatThrownBy(waiting::join).hasCauseInstanceOf(RaftKvException.class)
        .cause().hasMessageContaining("write 1").satisfies(e -> assertThat(((RaftKvException) e).code())
            .isEqualTo(Error.Code.TIMEOUT));
    window.answered(stuck);
    assertThat(window.acknowledged()).isEqualTo(2); // nothing was issued to the write that gave up
    assertThat(take(window)).isEqualTo(3);
  }

  @Test
  void clientStaysInsideTheSpanTheServerKeepsAnswersFor() {
    // SessionPolicy.DEFAULT keeps 1,024 answers behind a client's newest request.
    assertThat(RaftKvClient.MAX_OUTSTANDING_SPAN).isLessThanOrEqualTo(1024 / 2);
  }
}
