package io.raftkv.bench;

import java.nio.charset.StandardCharsets;

/** A get found no value for a key the benchmark wrote before: counted as an error, never as a read. */
public final class MissingKeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MissingKeyException(String system, byte[] key) {
    super(system + " has no value for key " + new String(key, StandardCharsets.US_ASCII)
        + ", which the benchmark wrote before reading");
  }
}
