package io.raftkv.server.service;

/** A stream's client read nothing for the idle timeout; the message says which stream and for how long. */
final class StalledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StalledException(String message) {
    super(message);
  }
}
