package io.raftkv.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The data both stores get: {@code keyCount} distinct 16-byte keys and one 256-byte value, the same bytes
 * for each system (a fixed seed), so neither store sees friendlier data.
 */
public record Workload(byte[][] keys, byte[] value) {
  public static final int KEY_BYTES = 16;
  public static final int VALUE_BYTES = 256;

  /** {@code keyCount} keys "bench-0000000000" .. (16 ASCII bytes each) and a random 256-byte value. */
  public static Workload of(int keyCount) {
    if (keyCount < 1 || keyCount > 99_999_999) {
      throw new IllegalArgumentException("key count " + keyCount + ": expected 1 to 99,999,999");
    }
    byte[][] keys = new byte[keyCount][];
    for (int i = 0; i < keyCount; i++) {
      keys[i] = String.format("benchkey%08d", i).getBytes(StandardCharsets.US_ASCII);
    }
    byte[] value = new byte[VALUE_BYTES];
    new Random(17).nextBytes(value);
    return new Workload(keys, value);
  }

  public int keyCount() {
    return keys.length;
  }
}
