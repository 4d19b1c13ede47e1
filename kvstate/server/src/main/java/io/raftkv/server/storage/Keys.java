package io.raftkv.server.storage;

import java.nio.charset.StandardCharsets;

/**
 * Store-wide keys and number encodings: numbers big-endian so RocksDB's bytewise order is numeric order.
 * The keys of a raft group are built by {@link GroupKeys}.
 */
public final class Keys {
  /** The store's identity (StoreIdent) in the raft metadata family: one per store, not per group. */
  public static final byte[] IDENT = ascii("ident");

  private Keys() {}

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** The big-endian encoding of an unsigned 64-bit number. */
  public static byte[] u64(long value) {
    byte[] out = new byte[8];
    putU64(out, 0, value);
    return out;
  }

  public static void putU64(byte[] out, int at, long value) {
    for (int i = 7; i >= 0; i--) {
      out[at + i] = (byte) value;
      value >>>= 8;
    }
  }

  /** Decodes {@link #u64(long)}; throws if {@code key} is not 8 bytes long. */
  public static long u64(byte[] key) {
    if (key.length != 8) {
      throw new IllegalArgumentException("expected an 8-byte big-endian key, got " + key.length + " bytes");
    }
    return getU64(key, 0);
  }

  public static long getU64(byte[] in, int at) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (in[at + i] & 0xFF);
    }
    return value;
  }
}
