package io.raftkv.server.storage;

import java.nio.file.Path;

/** A data directory a node cannot start on; the message names the directory and what is wrong. */
public final class DataDirectoryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataDirectoryException(Path dir, String problem) {
    super("data directory " + dir + ": " + problem);
  }

  public DataDirectoryException(Path dir, String problem, Throwable cause) {
    super("data directory " + dir + ": " + problem, cause);
  }
}
