package io.raftkv.raft;

/** Outcome of sending a snapshot to a follower, reported by the application. */
public enum SnapshotStatus {
  FINISH,
  FAILURE
}
