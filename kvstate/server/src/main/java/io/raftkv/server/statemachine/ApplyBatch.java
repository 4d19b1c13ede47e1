package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import io.raftkv.server.statemachine.pb.ClientSession;
import io.raftkv.server.statemachine.pb.StoredValue;
import java.util.HashMap;
import java.util.Map;
import org.rocksdb.WriteBatch;

/**
 * One round of applying committed entries: the RocksDB {@link WriteBatch} it fills, and the keys and
 * sessions it changed so far, so later entries of the same round read their own writes.
 */
public final class ApplyBatch implements AutoCloseable {
  /** Marks a key deleted in this round. */
  static final StoredValue ABSENT = StoredValue.getDefaultInstance();

  private final WriteBatch writeBatch = new WriteBatch();
  final Map<ByteString, StoredValue> values = new HashMap<>();
  final Map<Long, ClientSession> sessions = new HashMap<>();
  /** Clients whose sessions expired in this round. */
  final java.util.Set<Long> expiredSessions = new java.util.HashSet<>();
  /** Answers stored in this round, by session-store key. */
  final Map<ByteString, io.raftkv.api.WriteResponse> responses = new HashMap<>();
  long appliedIndex;
  long appliedTerm;

  ApplyBatch(long appliedIndex, long appliedTerm) {
    this.appliedIndex = appliedIndex;
    this.appliedTerm = appliedTerm;
  }

  /** The batch to add other writes of the round to (e.g. the conf state); write it once, then close. */
  public WriteBatch writeBatch() {
    return writeBatch;
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public void close() {
    writeBatch.close();
  }
}
