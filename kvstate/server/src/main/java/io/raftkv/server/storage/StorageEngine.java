package io.raftkv.server.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.server.storage.pb.StoreIdent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * One node's RocksDB instance with its column families. Opening checks that the directory is this
 * node's: not held by another process, made for the same cluster and node id, readable.
 */
public final class StorageEngine implements AutoCloseable {
  /**
   * The on-disk layout version this code reads and writes. 2: every raft group's keys start with its
   * group id ({@link GroupKeys}). A directory in format 1 (one group, no group ids) is migrated on open.
   */
  public static final int FORMAT_VERSION = 2;
  /** The format that {@link FormatOneMigration} migrates from. */
  static final int FORMAT_ONE = 1;
  /**
   * Memtable size of the point-lookup families. Every apply inserts into them, and an insert into a
   * skiplist of a few MiB stays in the CPU caches where one into RocksDB's default 64 MiB does not
   * (measured: memtable inserts fell from 13% to 5-8% of a 3-node cluster's CPU at 64 writes in flight).
   */
  static final long WRITE_BUFFER_BYTES = 8L << 20;

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final RocksDB db;
  private final DBOptions dbOptions;
  /** Column family options and what they hold (filters), closed with the engine. */
  private final List<AutoCloseable> cfOptions;
  private final Map<ColumnFamily, ColumnFamilyHandle> handles = new EnumMap<>(ColumnFamily.class);
  private final WriteOptions syncWrite = new WriteOptions().setSync(true);
  private final WriteOptions asyncWrite = new WriteOptions().setSync(false);
  private final StoreIdent ident;

  private StorageEngine(Path dir, RocksDB db, DBOptions dbOptions, List<AutoCloseable> cfOptions,
      List<ColumnFamilyHandle> handleList, StoreIdent ident) {
    this.dir = dir;
    this.db = db;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    ColumnFamily[] families = ColumnFamily.values();
    for (int i = 0; i < families.length; i++) {
      handles.put(families[i], handleList.get(i));
    }
    this.ident = ident;
  }

  /**
   * Opens (creating if absent) the data directory of node {@code nodeId} in cluster {@code clusterId}.
   *
   * @throws DataDirectoryException naming the directory and the problem
   */
  /** Write-ahead log bytes kept before the families holding the oldest log file are flushed. */
  static final long MAX_TOTAL_WAL_BYTES = 128L << 20;

  /** Write-ahead log files kept for reuse. */
  static final int RECYCLED_WAL_FILES = 4;

  public static StorageEngine open(Path dir, String clusterId, long nodeId) {
    return open(dir, clusterId, nodeId, MAX_TOTAL_WAL_BYTES);
  }

  /** {@link #open(Path, String, long)} with another cap on the write-ahead log (tests). */
  static StorageEngine open(Path dir, String clusterId, long nodeId, long maxTotalWalBytes) {
    checkDirectory(dir);
    // The raft metadata family takes a few bytes per Ready and would never fill a memtable: without a cap
    // on the write-ahead log, its unflushed writes keep every log file alive (gigabytes under load, all
    // replayed on restart). Past the cap RocksDB flushes the families that pin the oldest file.
    // Log files past their use are kept for reuse: writing over allocated blocks spares the file system
    // allocating new ones and the fsync of every Ready an inode update.
    DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2).setMaxTotalWalSize(maxTotalWalBytes).setRecycleLogFileNum(RECYCLED_WAL_FILES);
    ColumnFamilyOptions plainOptions = new ColumnFamilyOptions();
    // User data and client sessions are read key by key on every apply, mostly for keys a memtable or
    // file does not hold (a new key, a request with no stored answer): bloom filters answer those
    // without searching. The raft log is read by index through its own cache and scanned, so it has none.
    BloomFilter tableFilter = new BloomFilter(10);
    ColumnFamilyOptions lookupOptions = new ColumnFamilyOptions()
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(tableFilter))
        .setMemtablePrefixBloomSizeRatio(0.05).setMemtableWholeKeyFiltering(true)
        .setWriteBufferSize(WRITE_BUFFER_BYTES).setMaxWriteBufferNumber(4);
    List<AutoCloseable> cfOptions = List.of(plainOptions, lookupOptions, tableFilter);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (ColumnFamily cf : ColumnFamily.values()) {
      boolean pointLookups = cf == ColumnFamily.DATA || cf == ColumnFamily.SESSIONS;
      descriptors.add(new ColumnFamilyDescriptor(cf.rocksName(), pointLookups ? lookupOptions : plainOptions));
    }
    List<ColumnFamilyHandle> handleList = new ArrayList<>();
    RocksDB db;
    try {
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, handleList);
    } catch (RocksDBException e) {
      dbOptions.close();
      closeAll(cfOptions);
      throw translate(dir, e);
    }
    StoreIdent ident;
    try {
      ident = checkIdent(dir, db, cf -> handleList.get(cf.ordinal()), clusterId, nodeId);
    } catch (RuntimeException e) {
      handleList.forEach(ColumnFamilyHandle::close);
      db.close();
      dbOptions.close();
      closeAll(cfOptions);
      throw e;
    }
    return new StorageEngine(dir, db, dbOptions, cfOptions, handleList, ident);
  }

  private static void checkDirectory(Path dir) {
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new DataDirectoryException(dir, "exists but is not a directory");
      }
      if (!Files.isReadable(dir) || !Files.isWritable(dir) || !Files.isExecutable(dir)) {
        throw new DataDirectoryException(dir, "is not readable and writable by this process");
      }
      // Opening creates RocksDB files and the node clears its snapshots folder: never in someone else's files.
      if (!isEmpty(dir) && !isDataDirectory(dir)) {
        throw new DataDirectoryException(dir, "is not empty and is not a RaftKV data directory (no RocksDB"
            + " CURRENT file with RaftKV's column families " + familyNames() + "); nothing in it was touched:"
            + " give a new or empty directory, or this node's own data directory");
      }
    } else {
      try {
        Files.createDirectories(dir);
      } catch (java.io.IOException e) {
        throw new DataDirectoryException(dir, "cannot be created: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Whether {@code dir} holds a RaftKV data directory: a RocksDB database (its CURRENT file) with every one
   * of RaftKV's column families. Reads only; a missing or empty directory is not one.
   */
  public static boolean isDataDirectory(Path dir) {
    if (!Files.isRegularFile(dir.resolve("CURRENT"))) {
      return false;
    }
    List<String> found = new ArrayList<>();
    try (org.rocksdb.Options options = new org.rocksdb.Options()) {
      for (byte[] name : RocksDB.listColumnFamilies(options, dir.toString())) {
        found.add(new String(name, java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (RocksDBException e) {
      return false;
    }
    return found.containsAll(familyNames());
  }

  private static List<String> familyNames() {
    List<String> names = new ArrayList<>();
    for (ColumnFamily cf : ColumnFamily.values()) {
      names.add(new String(cf.rocksName(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return names;
  }

  private static boolean isEmpty(Path dir) {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (java.io.IOException e) {
      throw new DataDirectoryException(dir, "cannot be listed: " + e.getMessage(), e);
    }
  }

  private static DataDirectoryException translate(Path dir, RocksDBException e) {
    Status status = e.getStatus();
    String msg = String.valueOf(e.getMessage());
    if (msg.contains("LOCK") || msg.toLowerCase().contains("lock hold")) {
      return new DataDirectoryException(dir,
          "is in use by another process (its LOCK file is held); stop that node or use another directory", e);
    }
    if (status != null && status.getCode() == Status.Code.Corruption) {
      return new DataDirectoryException(dir, "is corrupt: " + msg, e);
    }
    if (msg.contains("Invalid argument") && msg.contains("column famil")) {
      return new DataDirectoryException(dir, "is not a RaftKV data directory: " + msg, e);
    }
    return new DataDirectoryException(dir, "cannot be opened: " + msg, e);
  }

  private static StoreIdent checkIdent(Path dir, RocksDB db,
      java.util.function.Function<ColumnFamily, ColumnFamilyHandle> handles, String clusterId, long nodeId) {
    ColumnFamilyHandle meta = handles.apply(ColumnFamily.RAFT_META);
    try {
      byte[] stored = db.get(meta, Keys.IDENT);
      if (stored == null) {
        StoreIdent ident = StoreIdent.newBuilder().setClusterId(clusterId).setNodeId(nodeId)
            .setFormatVersion(FORMAT_VERSION).build();
        try (WriteOptions sync = new WriteOptions().setSync(true)) {
          db.put(meta, sync, Keys.IDENT, ident.toByteArray());
        }
        return ident;
      }
      StoreIdent ident;
      try {
        ident = StoreIdent.parseFrom(stored);
      } catch (InvalidProtocolBufferException e) {
        throw new DataDirectoryException(dir, "its identity record is unreadable (corrupt?): " + e.getMessage(), e);
      }
      if (ident.getFormatVersion() != FORMAT_VERSION && ident.getFormatVersion() != FORMAT_ONE) {
        throw new DataDirectoryException(dir, "has on-disk format " + ident.getFormatVersion()
            + "; this version reads format " + FORMAT_VERSION + " (and migrates format " + FORMAT_ONE + ")");
      }
      if (ident.getNodeId() != nodeId) {
        throw new DataDirectoryException(dir, "belongs to node " + ident.getNodeId() + ", not node " + nodeId);
      }
      if (!ident.getClusterId().equals(clusterId)) {
        throw new DataDirectoryException(dir, "belongs to cluster '" + ident.getClusterId()
            + "', not cluster '" + clusterId + "'");
      }
      if (ident.getFormatVersion() == FORMAT_ONE) {
        ident = new FormatOneMigration(db, handles, dir).migrate(ident);
      }
      return ident;
    } catch (RocksDBException e) {
      throw translate(dir, e);
    }
  }

  public Path directory() {
    return dir;
  }

  public StoreIdent ident() {
    return ident;
  }

  public RocksDB db() {
    return db;
  }

  public ColumnFamilyHandle handle(ColumnFamily cf) {
    return handles.get(cf);
  }

  /** Reads one key; null when absent. */
  public byte[] get(ColumnFamily cf, byte[] key) {
    try {
      return db.get(handles.get(cf), key);
    } catch (RocksDBException e) {
      throw new StorageIoException("read of " + cf + " failed", e);
    }
  }

  /** The values of {@code keys} in {@code cf}, null where absent, read in one call into RocksDB. */
  public List<byte[]> multiGet(ColumnFamily cf, List<byte[]> keys) {
    if (keys.isEmpty()) {
      return List.of(); // RocksDB asserts that it is given at least one key
    }
    try {
      return db.multiGetAsList(java.util.Collections.nCopies(keys.size(), handles.get(cf)), keys);
    } catch (RocksDBException e) {
      throw new StorageIoException("read of " + cf + " failed", e);
    }
  }

  /** Writes {@code batch} atomically; with {@code sync} the WAL is fsynced before this returns. */
  public void write(WriteBatch batch, boolean sync) {
    try {
      db.write(sync ? syncWrite : asyncWrite, batch);
    } catch (RocksDBException e) {
      throw new StorageIoException("write to " + dir + " failed", e);
    }
  }

  @Override
  public void close() {
    syncWrite.close();
    asyncWrite.close();
    handles.values().forEach(ColumnFamilyHandle::close);
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      // closing anyway; what was synced is safe
    }
    db.close();
    dbOptions.close();
    closeAll(cfOptions);
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing RocksDB options failed", e);
      }
    }
  }
}
