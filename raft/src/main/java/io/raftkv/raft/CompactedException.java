package io.raftkv.raft;

/** The requested index is at or below the storage's compaction point. */
public final class CompactedException extends StorageException {
  private static final long serialVersionUID = 1L;

  public CompactedException(String message) {
    super(message);
  }
}
