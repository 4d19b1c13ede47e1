package io.raftkv.raft;

/** How the leader currently replicates to one follower. */
public enum ProgressState {
  /** Sends one append per heartbeat until it learns where the follower's log matches. */
  PROBE,
  /** Streams appends optimistically, bounded by the in-flight window. */
  REPLICATE,
  /** Waits for a snapshot to be applied before sending appends again. */
  SNAPSHOT
}
