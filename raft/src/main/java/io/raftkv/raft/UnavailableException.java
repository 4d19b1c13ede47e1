package io.raftkv.raft;

/** The requested index is above the storage's last index. */
public final class UnavailableException extends StorageException {
  private static final long serialVersionUID = 1L;

  public UnavailableException(String message) {
    super(message);
  }
}
