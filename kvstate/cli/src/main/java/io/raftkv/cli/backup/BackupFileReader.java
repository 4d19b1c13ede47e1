package io.raftkv.cli.backup;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.BackupBatch;
import io.raftkv.api.BackupChunk;
import io.raftkv.api.BackupFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Reads a backup file and verifies all of it: the magic bytes, the format version, every record, the
 * counts and the checksum in the trailer. Any problem is a {@link BackupFileException} naming the file.
 */
public final class BackupFileReader {
  private BackupFileReader() {}

  /** Verifies {@code file} without using its contents. */
  public static BackupSummary verify(Path file) {
    return read(file, batch -> { });
  }

  /**
   * Hands every batch of {@code file} to {@code batches} in order, and verifies the whole file; the
   * batches are trustworthy only once this returns.
   */
  public static BackupSummary read(Path file, Consumer<BackupBatch> batches) {
    if (!Files.exists(file)) {
      throw new BackupFileException(file, "does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new BackupFileException(file, "is not a regular file");
    }
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(file, in, batches);
    } catch (IOException e) {
      throw new BackupFileException(file, "cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a backup from {@code in} as {@link #read(Path, Consumer)} does, naming it {@code file} in
   * errors.
   */
  public static BackupSummary read(Path file, InputStream in, Consumer<BackupBatch> batches) throws IOException {
    ChunkVerifier verifier = new ChunkVerifier();
    checkPrelude(file, in);
    long bytes = BackupFormat.MAGIC.length + 4;
    int first;
    while ((first = in.read()) != -1) {
      long record = verifier.chunks() + 1;
      long length = readLength(file, first, in, record);
      if (length > BackupFormat.MAX_CHUNK_BYTES) {
        throw new BackupFileException(file, "record " + record + " claims " + length + " bytes; records are at"
            + " most " + BackupFormat.MAX_CHUNK_BYTES + " bytes (the file is corrupt)");
      }
      byte[] serialized = in.readNBytes((int) length);
      if (serialized.length < length) {
        throw new BackupFileException(file, "it ends inside record " + record + " (" + serialized.length + " of "
            + length + " bytes; truncated)");
      }
      bytes += CodedOutputStream.computeUInt32SizeNoTag((int) length) + length;
      BackupChunk chunk;
      try {
        chunk = BackupChunk.parseFrom(serialized);
      } catch (InvalidProtocolBufferException e) {
        throw new BackupFileException(file, "record " + record + " is unreadable (the file is corrupt): "
            + e.getMessage());
      }
      try {
        verifier.accept(chunk, serialized);
      } catch (IllegalArgumentException e) {
        throw new BackupFileException(file, e.getMessage());
      }
      if (chunk.hasBatch()) {
        batches.accept(chunk.getBatch());
      }
    }
    try {
      return new BackupSummary(verifier.header(), verifier.trailer(), bytes);
    } catch (IllegalArgumentException e) {
      throw new BackupFileException(file, e.getMessage());
    }
  }

  /** Reads a record's length, a varint of at most 5 bytes whose first byte is {@code first}. */
  private static long readLength(Path file, int first, InputStream in, long record) throws IOException {
    long length = first & 0x7F;
    int b = first;
    for (int shift = 7; (b & 0x80) != 0; shift += 7) {
      if (shift > 28) {
        throw new BackupFileException(file, "record " + record + " has a malformed length (the file is corrupt)");
      }
      b = in.read();
      if (b == -1) {
        throw new BackupFileException(file, "it ends inside the length of record " + record + " (truncated)");
      }
      length |= (long) (b & 0x7F) << shift;
    }
    return length;
  }

  private static void checkPrelude(Path file, InputStream in) throws IOException {
    byte[] magic = in.readNBytes(BackupFormat.MAGIC.length);
    if (!Arrays.equals(magic, BackupFormat.MAGIC)) {
      if (magic.length < BackupFormat.MAGIC.length
          && Arrays.equals(magic, Arrays.copyOf(BackupFormat.MAGIC, magic.length))) {
        throw new BackupFileException(file, "it ends after " + magic.length + " bytes (truncated)");
      }
      throw new BackupFileException(file, "is not a RaftKV backup: it does not start with the bytes '"
          + new String(BackupFormat.MAGIC, StandardCharsets.US_ASCII) + "'");
    }
    byte[] version = in.readNBytes(4);
    if (version.length < 4) {
      throw new BackupFileException(file, "it ends inside its format version (truncated)");
    }
    int format = ByteBuffer.wrap(version).getInt();
    if (format != BackupFormat.VERSION) {
      throw new BackupFileException(file, "is in backup format version " + Integer.toUnsignedString(format)
          + "; this raftkv reads format " + BackupFormat.VERSION + " only (a newer raftkv wrote it?)");
    }
  }
}
