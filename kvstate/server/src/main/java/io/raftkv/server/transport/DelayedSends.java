package io.raftkv.server.transport;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Runs sends that fault injection holds back, each after its own delay, on one daemon thread. */
final class DelayedSends implements SendDelayer {
  private final ScheduledExecutorService timer;

  DelayedSends(long selfId) {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "raftkv-delayed-sends-" + selfId);
      t.setDaemon(true);
      return t;
    });
    executor.setRemoveOnCancelPolicy(true);
    this.timer = executor;
  }

  @Override
  public void later(long millis, Runnable send) {
    try {
      timer.schedule(send, millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the transport is closing: the batch is lost, as it would be on a real network
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
