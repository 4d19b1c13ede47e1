package io.raftkv.server.node;

import java.util.ArrayDeque;

/**
 * The raft loop's room for peers' message batches: a peer stream reserves a slot before it asks gRPC for
 * its next batch, and the loop frees the slot once it stepped that batch. A stream that finds no room asks
 * again when a slot frees, so a peer sending faster than the loop steps is slowed by gRPC flow control
 * instead of filling the mailbox without end.
 */
public final class PeerInbox {
  private final int capacity;
  // Guarded by this.
  private int reserved;
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();

  public PeerInbox(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("peer inbox capacity is " + capacity + "; it must be positive");
    }
    this.capacity = capacity;
  }

  /**
   * Reserves a slot: true if one was free; else false, and {@code onSlot} runs later holding a slot
   * reserved for it (on the thread that freed it).
   */
  public boolean reserveOrWait(Runnable onSlot) {
    synchronized (this) {
      if (reserved < capacity) {
        reserved++;
        return true;
      }
      waiting.addLast(onSlot);
      return false;
    }
  }

  /** Frees a slot, handing it straight to the longest-waiting stream if there is one. */
  public void release() {
    Runnable next;
    synchronized (this) {
      next = waiting.pollFirst();
      if (next == null) {
        reserved--;
        return;
      }
    }
    next.run(); // the slot passes on: reserved stays the same
  }

  /** Slots reserved now: batches queued for the loop plus streams allowed to read one more. */
  public synchronized int reserved() {
    return reserved;
  }

  public int capacity() {
    return capacity;
  }
}
