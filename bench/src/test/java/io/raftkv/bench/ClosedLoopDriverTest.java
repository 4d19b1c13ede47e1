package io.raftkv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClosedLoopDriverTest {
  private final ExecutorService answers = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    answers.shutdownNow();
  }

  /** A store in memory that answers on other threads and remembers how many requests it had at once. */
  private final class MemoryStore implements KvStore {
    final Map<String, Integer> writes = new ConcurrentHashMap<>();
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger mostOutstanding = new AtomicInteger();
    volatile boolean failGets;

    private CompletableFuture<Object> answer(Runnable work) {
      mostOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
      return CompletableFuture.supplyAsync(() -> {
        outstanding.decrementAndGet();
        work.run();
        return "ok";
      }, answers);
    }

    @Override
    public CompletableFuture<?> put(byte[] key, byte[] value) {
      return answer(() -> writes.merge(new String(key, StandardCharsets.US_ASCII), 1, Integer::sum));
    }

    @Override
    public CompletableFuture<?> get(byte[] key) {
      return answer(() -> {
        if (failGets) {
          throw new MissingKeyException("memory", key);
        }
      });
    }

    @Override
    public void close() {
    }
  }

  @Test
  void writingEveryKeyWritesEachKeyExactlyOnce() throws Exception {
    MemoryStore store = new MemoryStore();
    Workload workload = Workload.of(5_000);

    LevelResult r = new ClosedLoopDriver(store, workload).writeEveryKey(64, TimeUnit.MINUTES.toNanos(2));

    assertThat(r.ops()).isEqualTo(5_000);
    assertThat(r.errors()).isZero();
    assertThat(store.writes).hasSize(5_000);
    assertThat(store.writes.values()).allMatch(n -> n == 1);
  }

  @Test
  void aRunNeverHasMoreRequestsOutThanItsLevel() throws Exception {
    MemoryStore store = new MemoryStore();

    LevelResult r = new ClosedLoopDriver(store, Workload.of(100)).run(Operation.PUT, 8, TimeUnit.MILLISECONDS.toNanos(300));

    assertThat(r.ops()).isPositive();
    assertThat(r.latencies().getTotalCount()).isEqualTo(r.ops());
    assertThat(store.mostOutstanding.get()).isBetween(1, 8);
  }

  @Test
  void failedRequestsAreCountedByKindAndLeftOutOfTheLatencies() throws Exception {
    MemoryStore store = new MemoryStore();
    store.failGets = true;

    LevelResult r = new ClosedLoopDriver(store, Workload.of(10)).run(Operation.GET, 4, TimeUnit.MILLISECONDS.toNanos(200));

    assertThat(r.ops()).isZero();
    assertThat(r.errors()).isPositive();
    assertThat(r.latencies().getTotalCount()).isZero();
    assertThat(r.errorKinds()).hasSize(10); // one kind per key: the message names the key
    assertThat(r.errorKinds().keySet()).allMatch(kind -> kind.startsWith("MissingKeyException: memory has no value"));
  }

  @Test
  void errorKindsStopAtTheirCapAndTheRestAreCountedTogether() {
    Map<String, Long> kinds = new ConcurrentHashMap<>();
    for (int i = 0; i < 30; i++) {
      ClosedLoopDriver.countErrorKind(kinds, "failure " + i);
    }
    ClosedLoopDriver.countErrorKind(kinds, "failure 3");
    ClosedLoopDriver.countErrorKind(kinds, "x".repeat(1000));

    assertThat(kinds).hasSize(ClosedLoopDriver.MAX_ERROR_KINDS + 1);
    assertThat(kinds).containsEntry("failure 3", 2L).containsEntry(ClosedLoopDriver.OTHER_ERRORS, 11L);
  }

  @Test
  void aLongErrorMessageIsCut() {
    Map<String, Long> kinds = new ConcurrentHashMap<>();
    ClosedLoopDriver.countErrorKind(kinds, "y".repeat(1000));

    assertThat(kinds.keySet().iterator().next()).hasSize(303).endsWith("...");
  }
}
