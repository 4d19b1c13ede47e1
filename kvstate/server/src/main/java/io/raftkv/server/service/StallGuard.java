package io.raftkv.server.service;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Ends a server stream whose client has read nothing for the idle timeout: while gRPC says the client does
 * not keep up ({@code isReady} false), a check follows; if no message went out for the whole timeout, the
 * stream is told it stalled, so it releases what it pins (a RocksDB snapshot, a feed position).
 */
final class StallGuard {
  private final ScheduledExecutorService timer;
  private final long timeoutNanos;
  private final BooleanSupplier ready;
  private final Runnable onStall;
  private volatile long lastProgressNanos = System.nanoTime();
  private volatile boolean checkPending;
  private volatile boolean stopped;

  StallGuard(ScheduledExecutorService timer, Duration timeout, BooleanSupplier ready, Runnable onStall) {
    this.timer = timer;
    this.timeoutNanos = timeout.toNanos();
    this.ready = ready;
    this.onStall = onStall;
  }

  /** A message went out, or the client asked for more. */
  void progressed() {
    lastProgressNanos = System.nanoTime();
  }

  /** The send loop stopped because the client does not keep up: check back after the timeout. */
  void blocked() {
    if (!checkPending && !stopped) {
      checkPending = true;
      scheduleCheck(Math.max(0, lastProgressNanos + timeoutNanos - System.nanoTime()));
    }
  }

  void stop() {
    stopped = true;
  }

  private void scheduleCheck(long delayNanos) {
    try {
      timer.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      checkPending = false;
    }
  }

  private void check() {
    if (stopped) {
      return;
    }
    if (ready.getAsBoolean()) {
      checkPending = false; // the client reads again; the send loop calls blocked() if it stalls anew
      if (!ready.getAsBoolean()) {
        blocked(); // it stalled again between the two looks, and its blocked() saw this check pending
      }
      return;
    }
    long idle = System.nanoTime() - lastProgressNanos;
    if (idle >= timeoutNanos) {
      stopped = true;
      onStall.run();
    } else {
      scheduleCheck(timeoutNanos - idle);
    }
  }

  /** "60 s", "1.5 s", "250 ms": the timeout as a message shows it. */
  static String describe(Duration timeout) {
    long ms = timeout.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms >= 1000 ? String.format("%.1f s", ms / 1000.0) : ms + " ms";
  }
}
