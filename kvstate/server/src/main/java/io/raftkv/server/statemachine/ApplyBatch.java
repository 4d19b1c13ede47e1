package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import io.raftkv.server.statemachine.pb.ClientSession;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.StorageIoException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * One round of applying committed entries: the RocksDB {@link WriteBatch} it fills, and the keys and
 * sessions it changed so far, so later entries of the same round read their own writes. Save points undo
 * everything one command staged (in the batch and in these maps) when that command is refused at apply.
 */
public final class ApplyBatch implements AutoCloseable {
  /** Marks a key deleted in this round. */
  static final StoredValue ABSENT = StoredValue.getDefaultInstance();

  private final WriteBatch writeBatch = new WriteBatch();
  private final Map<ByteString, StoredValue> values = new HashMap<>();
  private final Map<Long, ClientSession> sessions = new HashMap<>();
  /** Clients whose sessions were evicted in this round. */
  private final Set<Long> expiredSessions = new HashSet<>();
  /** Answers stored in this round, by session-store key. */
  private final Map<ByteString, WriteOutcome> responses = new HashMap<>();
  /** Sessions created minus sessions evicted in this round. */
  private int sessionCountDelta;
  /** The last committed session this round evicted (eviction goes on after it), or null. */
  private SessionOrder.Stamp evictionCursor;
  long appliedIndex;
  long appliedTerm;
  /** Undo actions for the staging done since the oldest open save point, newest last. */
  private final List<Runnable> undo = new ArrayList<>();
  /** Per open save point, the size of {@link #undo} when it was set. */
  private final ArrayDeque<Integer> savePoints = new ArrayDeque<>();

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

  /** Stages a put of {@code key} in {@code cf} into the write batch. */
  void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    try {
      writeBatch.put(cf, key, value);
    } catch (RocksDBException e) {
      throw new StorageIoException("staging a write failed", e);
    }
  }

  /** Stages a delete of {@code key} in {@code cf} into the write batch. */
  void delete(ColumnFamilyHandle cf, byte[] key) {
    try {
      writeBatch.delete(cf, key);
    } catch (RocksDBException e) {
      throw new StorageIoException("staging a delete failed", e);
    }
  }

  /** Stages a delete of every key in {@code [from, to)} of {@code cf} into the write batch. */
  void deleteRange(ColumnFamilyHandle cf, byte[] from, byte[] to) {
    try {
      writeBatch.deleteRange(cf, from, to);
    } catch (RocksDBException e) {
      throw new StorageIoException("staging a range delete failed", e);
    }
  }

  // ------------------------------------------------------------ save points

  /** Opens a save point: {@link #rollbackToSavePoint} undoes everything staged after it. */
  void setSavePoint() {
    writeBatch.setSavePoint();
    savePoints.push(undo.size());
  }

  /** Keeps what was staged since the newest save point, and closes it. */
  void releaseSavePoint() {
    try {
      writeBatch.popSavePoint();
    } catch (RocksDBException e) {
      throw new StorageIoException("releasing a write batch save point failed", e);
    }
    savePoints.pop();
    if (savePoints.isEmpty()) {
      undo.clear();
    }
  }

  /** Discards everything staged since the newest save point, in the write batch and in memory, and closes it. */
  void rollbackToSavePoint() {
    try {
      writeBatch.rollbackToSavePoint();
    } catch (RocksDBException e) {
      throw new StorageIoException("rolling a write batch back to its save point failed", e);
    }
    int mark = savePoints.pop();
    while (undo.size() > mark) {
      undo.remove(undo.size() - 1).run();
    }
  }

  private <K, V> void remember(Map<K, V> map, K key) {
    if (savePoints.isEmpty()) {
      return;
    }
    boolean had = map.containsKey(key);
    V old = map.get(key);
    undo.add(() -> {
      if (had) {
        map.put(key, old);
      } else {
        map.remove(key);
      }
    });
  }

  // ------------------------------------------------------------ staged state

  StoredValue value(ByteString key) {
    return values.get(key);
  }

  void stageValue(ByteString key, StoredValue value) {
    remember(values, key);
    values.put(key, value);
  }

  ClientSession session(long clientId) {
    return sessions.get(clientId);
  }

  boolean touchedSession(long clientId) {
    return sessions.containsKey(clientId);
  }

  void stageSession(long clientId, ClientSession session) {
    remember(sessions, clientId);
    sessions.put(clientId, session);
  }

  boolean expired(long clientId) {
    return expiredSessions.contains(clientId);
  }

  /** Records that the client's session is evicted in this round (and forgets its staged header). */
  void expire(long clientId) {
    remember(sessions, clientId);
    sessions.remove(clientId);
    if (expiredSessions.add(clientId) && !savePoints.isEmpty()) {
      undo.add(() -> expiredSessions.remove(clientId));
    }
  }

  WriteOutcome response(ByteString key) {
    return responses.get(key);
  }

  void stageResponse(ByteString key, WriteOutcome outcome) {
    remember(responses, key);
    responses.put(key, outcome);
  }

  void unstageResponse(ByteString key) {
    if (responses.containsKey(key)) {
      remember(responses, key);
      responses.remove(key);
    }
  }

  /** Staged answer keys, for dropping a range of them (a copy: safe to unstage while iterating). */
  List<ByteString> responseKeys() {
    return new ArrayList<>(responses.keySet());
  }

  int sessionCountDelta() {
    return sessionCountDelta;
  }

  void addSessionCount(int delta) {
    sessionCountDelta += delta;
    if (!savePoints.isEmpty()) {
      undo.add(() -> sessionCountDelta -= delta);
    }
  }

  SessionOrder.Stamp evictionCursor() {
    return evictionCursor;
  }

  void moveEvictionCursor(SessionOrder.Stamp to) {
    SessionOrder.Stamp from = evictionCursor;
    evictionCursor = to;
    if (!savePoints.isEmpty()) {
      undo.add(() -> evictionCursor = from);
    }
  }

  Map<ByteString, StoredValue> values() {
    return Collections.unmodifiableMap(values);
  }

  Map<Long, ClientSession> sessions() {
    return Collections.unmodifiableMap(sessions);
  }

  Set<Long> expiredSessions() {
    return Collections.unmodifiableSet(expiredSessions);
  }

  @Override
  public void close() {
    writeBatch.close();
  }
}
