package io.raftkv.raft;

/** Base of the errors a {@link Storage} reports; unchecked, as the core cannot recover from them itself. */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }
}
