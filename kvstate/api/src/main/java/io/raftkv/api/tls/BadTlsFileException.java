package io.raftkv.api.tls;

import java.nio.file.Path;

/** A TLS file that cannot be used as given: names the file, what it was for, and what is wrong with it. */
public final class BadTlsFileException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  BadTlsFileException(Path file, String role, String problem) {
    super(role + " " + file + ": " + problem);
    this.file = file;
  }

  BadTlsFileException(Path file, String role, String problem, Throwable cause) {
    super(role + " " + file + ": " + problem, cause);
    this.file = file;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
