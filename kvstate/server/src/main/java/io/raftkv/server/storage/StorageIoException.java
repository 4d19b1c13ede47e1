package io.raftkv.server.storage;

/** RocksDB failed to read or write (disk full, I/O error): the node cannot go on safely. */
public final class StorageIoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageIoException(String message, Throwable cause) {
    super(message + ": " + cause.getMessage(), cause);
  }
}
