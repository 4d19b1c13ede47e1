package io.raftkv.cli.backup;

import io.raftkv.api.BackupBatch;
import io.raftkv.api.BackupChunk;
import io.raftkv.api.BackupFormat;
import io.raftkv.api.BackupHeader;
import io.raftkv.api.BackupTrailer;
import io.raftkv.server.storage.ReplicatedState;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;

/**
 * Checks a backup's chunks as they come, from a node or from a file: one header of a known format
 * first, batches of known column families with as many values as keys, then one trailer whose counts
 * and SHA-256 match what came before it. Problems are {@link IllegalArgumentException}s saying what is
 * wrong; the caller names the source.
 */
final class ChunkVerifier {
  private static final Set<String> FAMILIES = Set.of("data", "sessions", "feed");

  private final MessageDigest digest = BackupFormat.newDigest();
  private BackupHeader header;
  private BackupTrailer trailer;
  private long chunks;
  private long batches;
  private long entries;
  private long dataKeys;

  /** Takes the next chunk, given with its serialized bytes as they were received or stored. */
  void accept(BackupChunk chunk, byte[] serialized) {
    chunks++;
    if (trailer != null) {
      throw new IllegalArgumentException("record " + chunks + " follows the trailer, which must be last");
    }
    switch (chunk.getChunkCase()) {
      case HEADER -> {
        if (header != null) {
          throw new IllegalArgumentException("record " + chunks + " is a second header");
        }
        header = checkHeader(chunk.getHeader());
        digest.update(serialized);
      }
      case BATCH -> {
        requireHeader();
        BackupBatch batch = chunk.getBatch();
        if (!FAMILIES.contains(batch.getColumnFamily())) {
          throw new IllegalArgumentException("record " + chunks + " holds column family '" + batch.getColumnFamily()
              + "'; a backup holds only " + FAMILIES);
        }
        if (batch.getKeysCount() != batch.getValuesCount()) {
          throw new IllegalArgumentException("record " + chunks + " has " + batch.getKeysCount() + " keys but "
              + batch.getValuesCount() + " values");
        }
        batches++;
        entries += batch.getKeysCount();
        if (batch.getColumnFamily().equals("data")) {
          dataKeys += batch.getKeysCount();
        }
        digest.update(serialized);
      }
      case TRAILER -> {
        requireHeader();
        trailer = checkTrailer(chunk.getTrailer());
      }
      default -> throw new IllegalArgumentException("record " + chunks + " is empty or of an unknown kind");
    }
  }

  private void requireHeader() {
    if (header == null) {
      throw new IllegalArgumentException("record " + chunks + " comes before the header, which must be first");
    }
  }

  private static BackupHeader checkHeader(BackupHeader h) {
    if (h.getFormatVersion() != BackupFormat.VERSION) {
      throw new IllegalArgumentException("its header says format version " + h.getFormatVersion()
          + "; this raftkv reads format " + BackupFormat.VERSION + " only");
    }
    if (h.getStoreFormatVersion() != ReplicatedState.FORMAT_VERSION) {
      throw new IllegalArgumentException("its state is in data directory format " + h.getStoreFormatVersion()
          + "; this raftkv reads format " + ReplicatedState.FORMAT_VERSION + " only");
    }
    if (h.getAppliedIndex() <= 0 || h.getAppliedTerm() <= 0) {
      throw new IllegalArgumentException("its header gives applied index " + h.getAppliedIndex() + " and term "
          + h.getAppliedTerm() + "; both must be positive");
    }
    return h;
  }

  private BackupTrailer checkTrailer(BackupTrailer t) {
    String computed = HexFormat.of().formatHex(digest.digest());
    String stored = HexFormat.of().formatHex(t.getSha256().toByteArray());
    if (!computed.equals(stored)) {
      throw new IllegalArgumentException("checksum mismatch: the trailer says SHA-256 " + stored
          + " but the contents hash to " + computed + " (the file is corrupt)");
    }
    if (t.getBatches() != batches || t.getEntries() != entries || t.getDataKeys() != dataKeys) {
      throw new IllegalArgumentException("the trailer counts " + t.getBatches() + " batches, " + t.getEntries()
          + " entries, " + t.getDataKeys() + " keys but the backup holds " + batches + ", " + entries + ", "
          + dataKeys);
    }
    return t;
  }

  /** How many chunks were taken. */
  long chunks() {
    return chunks;
  }

  /** The header, null before it came. */
  BackupHeader header() {
    return header;
  }

  /**
   * The trailer.
   *
   * @throws IllegalArgumentException if none came: the backup ends early
   */
  BackupTrailer trailer() {
    if (trailer == null) {
      throw new IllegalArgumentException("it ends after " + chunks + " records without the trailer"
          + " (truncated: an interrupted copy or backup?)");
    }
    return trailer;
  }
}
