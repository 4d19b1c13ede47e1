package io.raftkv.server.node;

import java.time.Duration;

/**
 * How much work one node accepts before it refuses more at once (RESOURCE_EXHAUSTED): writes and reads in
 * flight, concurrent streams, incoming snapshots, queued peer traffic and RPC work.
 *
 * @param maxWritesInFlight writes accepted and not yet answered
 * @param maxWriteBytesInFlight their request bytes (a single write larger than this is still admitted when
 *     nothing else is in flight, so no valid write is refused forever)
 * @param maxPendingReads linearizable reads waiting for their ReadIndex round and apply
 * @param maxWatches concurrent Watch streams
 * @param maxBackups concurrent Backup streams
 * @param maxIncomingSnapshots snapshots being received from peers at once
 * @param maxSnapshotBytes the most data one incoming snapshot may carry
 * @param snapshotTimeLimit how long one incoming snapshot may take to arrive
 * @param streamIdleTimeout how long a Watch or Backup may read nothing before it is ended and its pinned
 *     state released
 * @param maxQueuedPeerBatches raft message batches from peers waiting in the raft loop's mailbox; peers are
 *     slowed by gRPC flow control beyond it
 * @param maxQueuedRpcs RPCs waiting for a pool thread; more are refused
 */
public record OverloadLimits(int maxWritesInFlight, long maxWriteBytesInFlight, int maxPendingReads,
    int maxWatches, int maxBackups, int maxIncomingSnapshots, long maxSnapshotBytes, Duration snapshotTimeLimit,
    Duration streamIdleTimeout, int maxQueuedPeerBatches, int maxQueuedRpcs) {

  /** The defaults: chosen with `raftkv bench overload` so a node with a 512 MiB heap stays up (docs/benchmarks.md). */
  public static final OverloadLimits DEFAULT = new OverloadLimits(4096, 8L << 20, 16_384, 256, 4, 2,
      64L << 30, Duration.ofHours(1), Duration.ofSeconds(60), 1024, 4096);

  public OverloadLimits {
    positive("max writes in flight", maxWritesInFlight);
    positive("max write bytes in flight", maxWriteBytesInFlight);
    positive("max pending reads", maxPendingReads);
    positive("max watches", maxWatches);
    positive("max backups", maxBackups);
    positive("max incoming snapshots", maxIncomingSnapshots);
    positive("max snapshot bytes", maxSnapshotBytes);
    positive("max queued peer batches", maxQueuedPeerBatches);
    positive("max queued RPCs", maxQueuedRpcs);
    positive("snapshot time limit", snapshotTimeLimit);
    positive("stream idle timeout", streamIdleTimeout);
  }

  private static void positive(String what, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " is " + value + "; it must be positive");
    }
  }

  private static void positive(String what, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(what + " is " + value + "; it must be a positive duration");
    }
  }

  public OverloadLimits withWrites(int count, long bytes) {
    return new OverloadLimits(count, bytes, maxPendingReads, maxWatches, maxBackups, maxIncomingSnapshots,
        maxSnapshotBytes, snapshotTimeLimit, streamIdleTimeout, maxQueuedPeerBatches, maxQueuedRpcs);
  }

  public OverloadLimits withPendingReads(int count) {
    return new OverloadLimits(maxWritesInFlight, maxWriteBytesInFlight, count, maxWatches, maxBackups,
        maxIncomingSnapshots, maxSnapshotBytes, snapshotTimeLimit, streamIdleTimeout, maxQueuedPeerBatches,
        maxQueuedRpcs);
  }

  public OverloadLimits withStreams(int watches, int backups, Duration idleTimeout) {
    return new OverloadLimits(maxWritesInFlight, maxWriteBytesInFlight, maxPendingReads, watches, backups,
        maxIncomingSnapshots, maxSnapshotBytes, snapshotTimeLimit, idleTimeout, maxQueuedPeerBatches,
        maxQueuedRpcs);
  }

  public OverloadLimits withIncomingSnapshots(int count, long bytes, Duration timeLimit) {
    return new OverloadLimits(maxWritesInFlight, maxWriteBytesInFlight, maxPendingReads, maxWatches, maxBackups,
        count, bytes, timeLimit, streamIdleTimeout, maxQueuedPeerBatches, maxQueuedRpcs);
  }

  public OverloadLimits withQueues(int peerBatches, int rpcs) {
    return new OverloadLimits(maxWritesInFlight, maxWriteBytesInFlight, maxPendingReads, maxWatches, maxBackups,
        maxIncomingSnapshots, maxSnapshotBytes, snapshotTimeLimit, streamIdleTimeout, peerBatches, rpcs);
  }
}
