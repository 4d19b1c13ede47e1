package io.raftkv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.LogFile;
import org.rocksdb.RocksDBException;
import org.rocksdb.WalFileType;
import org.rocksdb.WriteBatch;

/** The write-ahead log stays near its cap under load, though one column family takes only a few bytes a write. */
class WriteAheadLogBoundTest {
  private static final GroupKeys GROUP = GroupKeys.firstGroup();
  @TempDir
  Path dir;

  /**
   * The live write-ahead log: the files RocksDB would replay on a restart, from the oldest log number it
   * must keep. Older files it holds only to recycle (up to {@link StorageEngine#RECYCLED_WAL_FILES}, reused
   * rather than grown) are not part of it.
   */
  private static long walBytes(StorageEngine engine) throws RocksDBException {
    long oldestKept = engine.db().getLongProperty("rocksdb.min-log-number-to-keep");
    long bytes = 0;
    for (LogFile f : engine.db().getSortedWalFiles()) {
      if (f.type() == WalFileType.kAliveLogFile && f.logNumber() >= oldestKept) {
        bytes += f.sizeFileBytes();
      }
    }
    return bytes;
  }

  @Test
  void smallMetadataWritesDoNotPinEveryLogFile() throws Exception {
    long cap = 8L << 20;
    byte[] entry = new byte[64 << 10];
    try (StorageEngine engine = StorageEngine.open(dir, "c1", 1, cap)) {
      // As a node does: log entries and, in the same batch, its small hard state; 96 MiB in all, well
      // under the log family's 64 MiB memtables times two, so only the cap makes RocksDB flush.
      for (int i = 0; i < 1536; i++) {
        try (WriteBatch batch = new WriteBatch()) {
          byte[] key = new byte[8];
          Keys.putU64(key, 0, i);
          batch.put(engine.handle(ColumnFamily.RAFT_LOG), key, entry);
          batch.put(engine.handle(ColumnFamily.RAFT_META), GROUP.applyState(), key);
          engine.write(batch, false);
        } catch (RocksDBException e) {
          throw new IllegalStateException(e);
        }
      }
      engine.db().flushWal(false);
      // RocksDB checks the cap when a write arrives and flushes in the background: on a busy machine the
      // writes above can outrun the flush they triggered. A node under load keeps writing, so does this
      // test (a few bytes of hard state at a time) until the bound holds, for as long as a busy machine may
      // need; without the cap it never holds.
      long deadline = System.nanoTime() + 120_000_000_000L;
      for (int i = 0; walBytes(engine) > 3 * cap && System.nanoTime() < deadline; i++) {
        try (WriteBatch batch = new WriteBatch()) {
          byte[] key = new byte[8];
          Keys.putU64(key, 0, i);
          batch.put(engine.handle(ColumnFamily.RAFT_META), GROUP.applyState(), key);
          engine.write(batch, false);
        }
        Thread.sleep(50);
      }
      assertThat(walBytes(engine)).isLessThanOrEqualTo(3 * cap);
      assertThat(engine.get(ColumnFamily.RAFT_LOG, new byte[8])).hasSize(entry.length);
    }
  }
}
