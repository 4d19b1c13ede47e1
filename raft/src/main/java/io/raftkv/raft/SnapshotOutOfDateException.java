package io.raftkv.raft;

/** A snapshot is not newer than the one the storage already holds. */
public final class SnapshotOutOfDateException extends StorageException {
  private static final long serialVersionUID = 1L;

  public SnapshotOutOfDateException(String message) {
    super(message);
  }
}
