package io.raftkv.connect.config;

/**
 * The RaftKV server's per-request limits as the sink respects them: a record over them is a bad record, and
 * a batch over them is split into several writes.
 *
 * @param maxKeyBytes longest key, prefix included
 * @param maxValueBytes longest value
 * @param maxOpsPerWrite most operations in one write (stored offsets included)
 * @param maxWriteBytes largest write request
 */
public record WriteLimits(int maxKeyBytes, int maxValueBytes, int maxOpsPerWrite, int maxWriteBytes) {
  /** The server's defaults (KvLimits.DEFAULT): 4 KiB keys, 1 MiB values, 10,000 operations and 8 MiB per write. */
  public static final WriteLimits SERVER_DEFAULTS = new WriteLimits(4096, 1 << 20, 10_000, 8 << 20);

  /** Bytes of a write request besides its operations' keys and values, with room to spare. */
  public static final int REQUEST_OVERHEAD_BYTES = 64;
  /** Bytes of one operation besides its key and value (field tags and lengths), with room to spare. */
  public static final int OP_OVERHEAD_BYTES = 24;
}
