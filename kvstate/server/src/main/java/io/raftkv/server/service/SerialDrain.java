package io.raftkv.server.service;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a stream's send loop on an executor, one run at a time: a {@link #schedule} that arrives while a
 * run is under way makes that run go round once more instead of starting another, so no wake-up is lost
 * and the loop's state needs no lock. A run that throws is handed to {@code onFailure}.
 */
final class SerialDrain {
  private final Executor executor;
  private final Runnable run;
  private final Consumer<RuntimeException> onFailure;
  private final AtomicInteger pendingRuns = new AtomicInteger();

  SerialDrain(Executor executor, Runnable run, Consumer<RuntimeException> onFailure) {
    this.executor = executor;
    this.run = run;
    this.onFailure = onFailure;
  }

  /** Makes sure a run follows. */
  void schedule() {
    if (pendingRuns.getAndIncrement() == 0) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    int missed = 1;
    do {
      try {
        run.run();
      } catch (RuntimeException e) {
        onFailure.accept(e);
      }
      missed = pendingRuns.addAndGet(-missed);
    } while (missed != 0);
  }
}
