package io.raftkv.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The backup format shared by the serving node, the file writer and the restore: a file is
 * {@link #MAGIC}, the format version as 4 big-endian bytes, then {@link BackupChunk}s each preceded by its
 * length as a varint (protobuf's delimited form): one header, the batches, one trailer whose SHA-256
 * covers the serialized header and batches.
 */
public final class BackupFormat {
  /** The format this code writes and the only one it reads. */
  public static final int VERSION = 1;
  /** The first bytes of every backup file. */
  public static final byte[] MAGIC = "RAFTKVBK".getBytes(StandardCharsets.US_ASCII);
  /** No chunk is larger: a batch holds about 1 MiB plus at most one 1 MiB value. */
  public static final int MAX_CHUNK_BYTES = 64 << 20;

  private BackupFormat() {}

  /** A fresh digest for the trailer's checksum. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
    }
  }
}
