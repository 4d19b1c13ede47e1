package io.raftkv.cli;

/** The server cannot start on what it was given (a port in use, its data directory): exit code 6. */
final class CannotStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CannotStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
