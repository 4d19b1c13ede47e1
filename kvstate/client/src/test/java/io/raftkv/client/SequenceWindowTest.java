package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.Error;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's write sequences: acknowledged sequence and the bound on outstanding span. */
class SequenceWindowTest {
  private static long in(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void acknowledgedIsJustBelowTheOldestUnansweredWrite() {
    SequenceWindow window = new SequenceWindow(100);
    long first = window.take(in(100));
    long second = window.take(in(100));
    long third = window.take(in(100));
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
    long stuck = window.take(in(100));
    for (int i = 0; i < 3; i++) {
      window.answered(window.take(in(100)));
    }
    // Sequences 2-4 were answered, 1 was not: a 5th would run 4 ahead of it.
    assertThatThrownBy(() -> window.take(in(50)))
        .isInstanceOfSatisfying(RaftKvException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.TIMEOUT))
        .hasMessageContaining("write 1");
    CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> window.take(in(5_000)));
    Thread.sleep(50);
    assertThat(waiting).isNotDone();
    window.answered(stuck);
    assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(5);
  }

  @Test
  void clientStaysInsideTheSpanTheServerKeepsAnswersFor() {
    // SessionPolicy.DEFAULT keeps 1,024 answers behind a client's newest request.
    assertThat(RaftKvClient.MAX_OUTSTANDING_SPAN).isLessThanOrEqualTo(1024 / 2);
  }
}
