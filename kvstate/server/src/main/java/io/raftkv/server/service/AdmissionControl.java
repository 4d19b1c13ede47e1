package io.raftkv.server.service;

import io.raftkv.api.Error;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.node.OverloadLimits;
import java.util.concurrent.CompletableFuture;

/**
 * Counts the writes (and their bytes) and reads one node has accepted and not answered, and refuses a
 * request at once when it would pass a bound of {@link OverloadLimits}. What is admitted is released when
 * its future completes, however it completes (answer, error, timeout, cancel).
 */
public final class AdmissionControl {
  private final long nodeId;
  private final OverloadLimits limits;
  // Guarded by this: a write checks and takes count and bytes together.
  private int writes;
  private long writeBytes;
  private int reads;

  public AdmissionControl(long nodeId, OverloadLimits limits) {
    this.nodeId = nodeId;
    this.limits = limits;
  }

  /**
   * Admits one write of {@code bytes} (null; release it with {@link #releaseWriteWhenDone}), or refuses it
   * (the RESOURCE_EXHAUSTED error to answer). A write larger than the byte bound is admitted when no other
   * write is in flight.
   */
  public synchronized NodeException admitWrite(long bytes) {
    if (writes >= limits.maxWritesInFlight()
        || (writes > 0 && writeBytes + bytes > limits.maxWriteBytesInFlight())) {
      return NodeException.of(Error.Code.RESOURCE_EXHAUSTED, "node " + nodeId + " has " + writes + " writes ("
          + mib(writeBytes) + ") in flight; at most " + limits.maxWritesInFlight() + " / "
          + mib(limits.maxWriteBytesInFlight()) + ": retry later");
    }
    writes++;
    writeBytes += bytes;
    return null;
  }

  /** Releases a write admitted with {@link #admitWrite} once {@code done} completes. */
  public void releaseWriteWhenDone(CompletableFuture<?> done, long bytes) {
    done.whenComplete((value, failure) -> releaseWrite(bytes));
  }

  private synchronized void releaseWrite(long bytes) {
    writes--;
    writeBytes -= bytes;
  }

  /**
   * Admits {@code count} reads that wait on one ReadIndex round (null), or refuses them (the error). A batch
   * larger than the bound is admitted when no other read is pending.
   */
  public synchronized NodeException admitReads(int count) {
    if (reads > 0 && reads + count > limits.maxPendingReads()) {
      return NodeException.of(Error.Code.RESOURCE_EXHAUSTED, "node " + nodeId + " has " + reads
          + " reads pending; at most " + limits.maxPendingReads() + ": retry later");
    }
    reads += count;
    return null;
  }

  /** Releases reads admitted with {@link #admitReads} once {@code done} completes. */
  public void releaseReadsWhenDone(CompletableFuture<?> done, int count) {
    done.whenComplete((value, failure) -> releaseReads(count));
  }

  private synchronized void releaseReads(int count) {
    reads -= count;
  }

  public synchronized int writesInFlight() {
    return writes;
  }

  public synchronized long writeBytesInFlight() {
    return writeBytes;
  }

  public synchronized int readsPending() {
    return reads;
  }

  static String mib(long bytes) {
    return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : String.format("%.1f MiB", bytes / 1048576.0);
  }
}
