package io.raftkv.cli.backup;

import java.nio.file.Path;

/** A backup file that cannot be used: missing, foreign, of another format, corrupt or truncated. */
public final class BackupFileException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public BackupFileException(Path file, String problem) {
    super("backup file " + file + ": " + problem);
  }

  public BackupFileException(Path file, String problem, Throwable cause) {
    super("backup file " + file + ": " + problem, cause);
  }
}
