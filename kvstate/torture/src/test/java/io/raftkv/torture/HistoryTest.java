package io.raftkv.torture;

import static io.raftkv.torture.TestHistory.bytes;
import static io.raftkv.torture.TestHistory.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Recording a history: many threads at once, and the mistakes a recorder can make. */
class HistoryTest {

  @Test
  void concurrentRecordersProduceAPairedHistoryInTimeOrder() throws Exception {
    History history = new History();
    int threads = 8;
    int perThread = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int process = t;
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < perThread; i++) {
          long op = history.invoke(process, bytes("k" + (i % 3)), Command.put(bytes(process + "-" + i)));
          history.complete(op, Outcome.written());
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();

    List<HistoryEvent> events = history.events();
    assertThat(events).hasSize(2 * threads * perThread);
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).timeNanos()).isGreaterThanOrEqualTo(events.get(i - 1).timeNanos());
    }
    List<Operation> ops = history.operations();
    assertThat(ops).hasSize(threads * perThread);
    Set<Long> ids = new HashSet<>();
    for (Operation op : ops) {
      assertThat(ids.add(op.id())).isTrue();
      assertThat(op.outcome()).isEqualTo(Outcome.written());
      assertThat(op.completedNanos()).isGreaterThanOrEqualTo(op.invokedNanos());
    }
  }

  @Test
  void operationNeverCompletedIsUnknownAndNeverEnds() {
    History history = new History();
    history.invoke(3, bytes("x"), Command.put(bytes("a")));
    Operation op = history.operations().get(0);
    assertThat(op.outcome()).isInstanceOf(Outcome.Unknown.class);
    assertThat(op.completedNanos()).isEqualTo(Operation.NEVER);
    assertThat(op.process()).isEqualTo(3);
  }

  @Test
  void completionOfAnOperationNeverInvokedIsRejected() {
    History history = new History();
    assertThatThrownBy(() -> history.complete(42, Outcome.written()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("42");
  }

  @Test
  void secondCompletionIsRejected() {
    History history = new History();
    long op = history.invoke(0, bytes("x"), Command.delete());
    history.complete(op, Outcome.written());
    assertThatThrownBy(() -> history.complete(op, Outcome.failed("again")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("completes twice");
  }

  @Test
  void outcomeThatDoesNotFitTheCommandIsRejected() {
    History history = new History();
    long get = history.invoke(0, bytes("x"), Command.get());
    long cas = history.invoke(0, bytes("x"), Command.compareAndSet(value("a"), value("b")));
    assertThatThrownBy(() -> history.complete(get, Outcome.written()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Get");
    assertThatThrownBy(() -> history.complete(cas, Outcome.read(value("a"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CompareAndSet");
  }

  @Test
  void completionBeforeInvocationIsRejected() {
    History history = new History();
    history.append(new HistoryEvent.Invocation(1, 0, 100, bytes("x"), Command.get()));
    assertThatThrownBy(() -> history.append(new HistoryEvent.Completion(1, 99, Outcome.read(value("a")))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before it was invoked");
  }

  @Test
  void reusedOperationIdIsRejectedAndNewIdsFollowAppendedOnes() {
    History history = new History();
    history.append(new HistoryEvent.Invocation(7, 0, 1, bytes("x"), Command.get()));
    assertThatThrownBy(() -> history.append(new HistoryEvent.Invocation(7, 1, 2, bytes("x"), Command.get())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invoked twice");
    assertThat(history.invoke(0, bytes("x"), Command.get())).isEqualTo(8);
  }
}
