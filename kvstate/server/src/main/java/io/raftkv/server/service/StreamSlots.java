package io.raftkv.server.service;

import java.util.concurrent.atomic.AtomicInteger;

/** At most {@code limit} streams of one kind (watches, backups, incoming snapshots) at once on a node. */
public final class StreamSlots {
  private final int limit;
  private final AtomicInteger used = new AtomicInteger();

  public StreamSlots(int limit) {
    this.limit = limit;
  }

  /** Takes a slot; false when all are taken. Each taken slot is released exactly once. */
  public boolean tryAcquire() {
    while (true) {
      int now = used.get();
      if (now >= limit) {
        return false;
      }
      if (used.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  public void release() {
    used.decrementAndGet();
  }

  public int limit() {
    return limit;
  }

  public int inUse() {
    return used.get();
  }
}
