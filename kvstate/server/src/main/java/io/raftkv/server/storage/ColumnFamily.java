package io.raftkv.server.storage;

import java.nio.charset.StandardCharsets;

/**
 * The column families of a node's RocksDB instance: one per kind of data, so each can be scanned,
 * compacted and snapshotted on its own. Several raft groups share them, each in its own key range.
 */
public enum ColumnFamily {
  /** RocksDB's mandatory family; unused. */
  DEFAULT("default"),
  /** Raft log entries, keyed by group and big-endian index ({@link GroupKeys}). */
  RAFT_LOG("raft_log"),
  /** The store's identity; per group: hard state, conf state, truncated state, apply state, members. */
  RAFT_META("raft_meta"),
  /** User keys (no group prefix: groups split them by key range) and their values with versions. */
  DATA("data"),
  /** Client sessions for exactly-once writes (replicated state). */
  SESSIONS("sessions"),
  /** The change feed: one event per applied mutation, keyed by (group, index, sub-sequence). */
  FEED("feed");

  private final String rocksName;

  ColumnFamily(String rocksName) {
    this.rocksName = rocksName;
  }

  public byte[] rocksName() {
    return rocksName.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return rocksName;
  }
}
