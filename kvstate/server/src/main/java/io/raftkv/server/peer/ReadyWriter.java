package io.raftkv.server.peer;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Writes Readys to disk off the raft loop, in order (TiKV's async_writer): at most {@code maxInFlight} at
 * once, a snapshot install alone and only once every Ready before it is done, the first failure kept and
 * every later write skipped. The loop owns the Readys; this class only orders their writes.
 *
 * <p>Loop thread only, except the persister thread's jobs, which report through {@code onPersisted} (a
 * Ready on disk, to be handed back to the loop) and {@code onFailure} (wake the loop to see
 * {@link #failure()}).
 *
 * @param <R> what the loop keeps for each Ready until it is persisted
 */
final class ReadyWriter<R> implements AutoCloseable {
  /** A Ready handed to the writer, with whether it installs a snapshot. */
  private record Slot<R>(R ready, boolean installsSnapshot) {}

  private final int maxInFlight;
  private final Consumer<R> onPersisted;
  private final Runnable onFailure;
  private final ExecutorService persister;
  /** Readys handed to the writer and not yet reported persisted by the loop, oldest first. */
  private final ArrayDeque<Slot<R>> inFlight = new ArrayDeque<>();
  /** A snapshot install waiting for the Readys before it to be applied. */
  private Runnable deferredInstall;
  private volatile Throwable failure;

  /**
   * @param threadName the persister thread's name
   * @param onPersisted called on the persister thread once a Ready written there is on disk
   * @param onFailure called on the persister thread once, when the first write fails
   */
  ReadyWriter(String threadName, int maxInFlight, Consumer<R> onPersisted, Runnable onFailure) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max in-flight Readys is " + maxInFlight + ": expected at least 1");
    }
    this.maxInFlight = maxInFlight;
    this.onPersisted = onPersisted;
    this.onFailure = onFailure;
    this.persister = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /** Whether the loop may take another Ready now: room in flight and no snapshot install under way. */
  boolean hasRoom() {
    return inFlight.size() < maxInFlight && !snapshotInFlight();
  }

  /** Whether a snapshot install is in flight (the state is being replaced). */
  boolean snapshotInFlight() {
    for (Slot<R> s : inFlight) {
      if (s.installsSnapshot) {
        return true;
      }
    }
    return false;
  }

  /** How many Readys are in flight. */
  int inFlight() {
    return inFlight.size();
  }

  /** The first write failure, or null; once set, no later write runs. */
  Throwable failure() {
    return failure;
  }

  /**
   * Hands over {@code ready}, whose disk work is {@code write}. Returns true when it was written here at
   * once (nothing else in flight, no snapshot: handing it to the persister would only pay by letting the
   * loop work during another write's fsync); the caller then reports it with {@link #persisted} itself.
   * Otherwise the persister writes it and calls {@code onPersisted}. A write failing here throws.
   */
  boolean submit(R ready, boolean installsSnapshot, Runnable write) {
    inFlight.addLast(new Slot<>(ready, installsSnapshot));
    if (!installsSnapshot && inFlight.size() == 1) {
      write.run();
      return true;
    }
    Runnable job = () -> {
      if (failure != null) {
        return; // an earlier Ready never reached the disk: writing later ones would leave a gap
      }
      try {
        write.run();
      } catch (RuntimeException | Error e) {
        failure = e;
        onFailure.run();
        return;
      }
      onPersisted.accept(ready);
    };
    if (installsSnapshot && inFlight.size() > 1) {
      // Earlier Readys may carry committed entries not applied yet: installing the snapshot's state now
      // would let them apply on top of it. Install once they are done (no Ready is taken meanwhile).
      deferredInstall = job;
    } else {
      persister.execute(job);
    }
    return false;
  }

  /** The loop took back {@code ready}, the oldest in flight, as persisted; throws if it is not the oldest. */
  void persisted(R ready) {
    Slot<R> oldest = inFlight.peekFirst();
    if (oldest == null || oldest.ready != ready) {
      throw new IllegalStateException("Readys persisted out of order");
    }
    inFlight.removeFirst();
  }

  /**
   * The loop finished with a persisted Ready (applied what it committed): a deferred snapshot install
   * starts once it is the only Ready left.
   */
  void afterApplied() {
    if (deferredInstall != null && inFlight.size() == 1) {
      persister.execute(deferredInstall);
      deferredInstall = null;
    }
  }

  /** Stops the persister thread, waiting for the write under way. */
  @Override
  public void close() {
    persister.shutdown();
    try {
      persister.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
