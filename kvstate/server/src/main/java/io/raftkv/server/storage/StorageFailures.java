package io.raftkv.server.storage;

import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/**
 * Tells a failure of the storage itself (an I/O error, a full disk, a corrupt file) from every other
 * error: only the former stops a node for good, so its process exits and a supervisor restarts it once
 * the cause is removed.
 */
public final class StorageFailures {
  /** Causes followed at most; a cycle in a cause chain must not hang the caller. */
  private static final int MAX_DEPTH = 32;

  private StorageFailures() {}

  /** Whether {@code error} or one of its causes is a failure of the storage. */
  public static boolean isStorageFailure(Throwable error) {
    return storageCause(error) != null;
  }

  /** The message of the storage failure in {@code error}'s cause chain, or of {@code error} if none is. */
  public static String describe(Throwable error) {
    Throwable cause = storageCause(error);
    Throwable shown = cause == null ? error : cause;
    return shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
  }

  private static Throwable storageCause(Throwable error) {
    Throwable t = error;
    for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
      if (t instanceof StorageIoException) {
        return t;
      }
      // A LOCK file held by another process is an IOError too, but the disk is fine: two nodes share a directory.
      if (t instanceof RocksDBException r && r.getStatus() != null
          && (r.getStatus().getCode() == Status.Code.IOError || r.getStatus().getCode() == Status.Code.Corruption)
          && !String.valueOf(r.getMessage()).contains("LOCK")) {
        return t;
      }
    }
    return null;
  }
}
