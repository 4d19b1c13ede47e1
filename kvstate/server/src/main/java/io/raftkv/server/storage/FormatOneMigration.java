package io.raftkv.server.storage;

import io.raftkv.server.storage.pb.StoreIdent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the state of a format-1 data directory (one raft group, keys without a group id) into the keys
 * of group {@link GroupKeys#FIRST_GROUP_ID}, in place. Each chunk of keys is one atomic write that puts the
 * new keys and deletes the old ones; an old key and a new one are told apart by their shape, so a
 * migration a crash interrupted is finished by running it again. The caller records format 2 only after
 * {@link #run} reports it done.
 */
final class FormatOneMigration {
  /** Keys moved per atomic write. */
  static final int CHUNK_KEYS = 1024;

  /** The raft metadata names of format 1, each the whole key. */
  private static final List<String> META_NAMES = List.of("hard_state", "conf_state", "truncated_state",
      "apply_state", "members", "snapshot_install");
  private static final byte[] SNAPSHOT_INSTALL = "snapshot_install".getBytes(StandardCharsets.US_ASCII);

  private static final Logger LOG = LoggerFactory.getLogger(FormatOneMigration.class);

  private final RocksDB db;
  private final Function<ColumnFamily, ColumnFamilyHandle> handles;
  private final Path dir;
  private final GroupKeys group = GroupKeys.firstGroup();

  FormatOneMigration(RocksDB db, Function<ColumnFamily, ColumnFamilyHandle> handles, Path dir) {
    this.db = db;
    this.handles = handles;
    this.dir = dir;
  }

  /**
   * Moves every format-1 key, then records format {@link StorageEngine#FORMAT_VERSION} in the store's
   * identity: the directory is in the new format only once nothing of the old is left.
   *
   * @return the identity now stored
   */
  StoreIdent migrate(StoreIdent formatOne) {
    LOG.info("data directory {}: migrating from on-disk format {} to {} (raft state into group {})", dir,
        formatOne.getFormatVersion(), StorageEngine.FORMAT_VERSION, group.groupId());
    Progress progress = run(Integer.MAX_VALUE);
    StoreIdent migrated = formatOne.toBuilder().setFormatVersion(StorageEngine.FORMAT_VERSION).build();
    try (WriteOptions sync = new WriteOptions().setSync(true)) {
      db.put(handles.apply(ColumnFamily.RAFT_META), sync, Keys.IDENT, migrated.toByteArray());
    } catch (RocksDBException e) {
      throw new DataDirectoryException(dir, "cannot be migrated from format 1: recording format "
          + StorageEngine.FORMAT_VERSION + " failed: " + e.getMessage(), e);
    }
    LOG.info("data directory {}: migrated to on-disk format {} ({} keys moved)", dir,
        StorageEngine.FORMAT_VERSION, progress.movedKeys());
    return migrated;
  }

  /**
   * Moves up to {@code maxChunks} chunks of format-1 keys; returns how many keys it moved and whether
   * none is left.
   */
  Progress run(int maxChunks) {
    int chunks = 0;
    long moved = 0;
    try (WriteOptions sync = new WriteOptions().setSync(true)) {
      for (ColumnFamily cf : List.of(ColumnFamily.RAFT_LOG, ColumnFamily.RAFT_META, ColumnFamily.SESSIONS,
          ColumnFamily.FEED)) {
        ColumnFamilyHandle handle = handles.apply(cf);
        // The iterator reads the family as it was when created: the keys a chunk writes are not met again.
        try (RocksIterator it = db.newIterator(handle)) {
          it.seekToFirst();
          while (it.isValid()) {
            if (chunks == maxChunks) {
              return new Progress(moved, false);
            }
            int inChunk = 0;
            try (WriteBatch chunk = new WriteBatch()) {
              for (; it.isValid() && inChunk < CHUNK_KEYS; it.next()) {
                byte[] key = it.key();
                byte[] newKey = newKeyOf(cf, key);
                if (newKey == null) {
                  continue;
                }
                if (cf == ColumnFamily.RAFT_META && Arrays.equals(key, SNAPSHOT_INSTALL)) {
                  moveStagedSnapshots();
                }
                chunk.put(handle, newKey, it.value());
                chunk.delete(handle, key);
                inChunk++;
              }
              it.status();
              if (inChunk > 0) {
                db.write(sync, chunk);
                chunks++;
                moved += inChunk;
              }
            }
          }
        }
      }
    } catch (RocksDBException e) {
      throw new DataDirectoryException(dir, "cannot be migrated from format 1: " + e.getMessage(), e);
    }
    if (chunks == maxChunks) {
      return new Progress(moved, false);
    }
    moveStagedSnapshots();
    return new Progress(moved, true);
  }

  /** How far one run got. */
  record Progress(long movedKeys, boolean done) {}

  /** The key {@code key} of {@code cf} has in format 2, or null if it is not a format-1 key. */
  byte[] newKeyOf(ColumnFamily cf, byte[] key) {
    return switch (cf) {
      case RAFT_LOG -> key.length == 8 ? group.logEntry(Keys.getU64(key, 0)) : null;
      case RAFT_META -> isMetaName(key) ? group.stored(key) : null;
      case SESSIONS -> (key.length == 9 && key[0] == 'h') || (key.length == 17 && key[0] == 'r')
          ? group.stored(key) : null;
      case FEED -> (key.length == 13 && key[0] == 'e') || (key.length == 1 && key[0] == 'm')
          ? group.stored(key) : null;
      default -> null;
    };
  }

  private static boolean isMetaName(byte[] key) {
    return META_NAMES.contains(new String(key, StandardCharsets.US_ASCII));
  }

  /**
   * Moves what a format-1 store staged under {@code snapshots/} into group 1's staging directory, before
   * the install marker that may name it moves: a snapshot install a crash interrupted is finished from
   * there. Receives a crash interrupted are staged files too and are deleted there when the group opens.
   */
  private void moveStagedSnapshots() {
    Path root = dir.resolve("snapshots");
    if (!Files.isDirectory(root)) {
      return;
    }
    Path target = SnapshotStore.stagingDirectory(dir, group.groupId());
    try (Stream<Path> children = Files.list(root)) {
      for (Path child : children.toList()) {
        if (child.getFileName().toString().startsWith("g-")) {
          continue;
        }
        Files.createDirectories(target);
        Files.move(child, target.resolve(child.getFileName()));
      }
    } catch (IOException e) {
      throw new DataDirectoryException(dir, "cannot be migrated from format 1: moving its staged snapshots"
          + " under " + root + " failed: " + e.getMessage(), e);
    }
  }
}
