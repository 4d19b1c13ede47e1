package io.raftkv.server.storage;

import java.nio.charset.StandardCharsets;

/** Key encodings: numbers big-endian so RocksDB's bytewise order is numeric order. */
public final class Keys {
  public static final byte[] IDENT = ascii("ident");
  public static final byte[] HARD_STATE = ascii("hard_state");
  public static final byte[] CONF_STATE = ascii("conf_state");
  public static final byte[] TRUNCATED_STATE = ascii("truncated_state");
  public static final byte[] APPLY_STATE = ascii("apply_state");
  public static final byte[] MEMBERS = ascii("members");
  /** A snapshot install in progress (SnapshotInstall); absent when none is. */
  public static final byte[] SNAPSHOT_INSTALL = ascii("snapshot_install");

  /** Key of the change feed's FeedState in the feed family; sorts after every event key. */
  public static final byte[] FEED_STATE = {'m'};
  /** The first key after every change feed event. */
  public static final byte[] FEED_EVENTS_END = {'f'};

  private Keys() {}

  /** Key of a change feed event: 'e', the index and the sub-sequence, big-endian so they sort. */
  public static byte[] feedEvent(long index, int subSequence) {
    byte[] key = new byte[13];
    key[0] = 'e';
    putU64(key, 1, index);
    key[9] = (byte) (subSequence >>> 24);
    key[10] = (byte) (subSequence >>> 16);
    key[11] = (byte) (subSequence >>> 8);
    key[12] = (byte) subSequence;
    return key;
  }

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
