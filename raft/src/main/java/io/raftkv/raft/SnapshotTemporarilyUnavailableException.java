package io.raftkv.raft;

/** The storage is building a snapshot and cannot hand one out yet. */
public final class SnapshotTemporarilyUnavailableException extends StorageException {
  private static final long serialVersionUID = 1L;

  public SnapshotTemporarilyUnavailableException(String message) {
    super(message);
  }
}
