package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.CasOp;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Error;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Op;
import io.raftkv.api.OpResult;
import io.raftkv.api.ScanResponse;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.statemachine.pb.CachedResponse;
import io.raftkv.server.statemachine.pb.ClientSession;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.Keys;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageIoException;
import io.raftkv.server.storage.pb.ApplyState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The replicated key-value state machine: applies client writes (put, delete, compare-and-set, atomic
 * batches) exactly once per client request, versions every key by the log index that changed it, records
 * each change in the change feed in the same batch, and serves reads from the applied state. Writes come from the raft loop thread only; reads from any.
 *
 * <p>Applying an entry is deterministic, bounded and cannot stop the node: answers and change events carry
 * previous values only up to {@link ApplyLimits}; a command that cannot be applied becomes an error answer
 * (APPLY_REFUSED) with none of its effects; sessions are bounded by count, evicted by log index. Only a
 * storage failure propagates.
 */
public final class KvStateMachine {
  private final StorageEngine engine;
  private final ColumnFamilyHandle dataCf;
  private final ColumnFamilyHandle sessionsCf;
  private final ColumnFamilyHandle feedCf;
  private final KvLimits limits;
  private final ApplyLimits applyLimits;
  private final SessionPolicy sessionPolicy;
  private volatile ApplyState applyState;
  /** Session headers kept in memory: far more clients than a cluster serves at once. */
  static final int CACHED_SESSIONS = 65_536;
  /** Session headers as stored, so applying a write does not read RocksDB for them (raft loop only). */
  private final SessionCache sessionCache;
  /** Every committed session in eviction order (raft loop only). */
  private final SessionOrder sessionOrder = new SessionOrder();
  /** Bytes of recently written records kept in memory, so a write seldom reads the value it replaces from disk. */
  static final long CACHED_VALUE_BYTES = 32L << 20;
  /**
   * Recently written keys' records as stored: spares applying a write a RocksDB read, and serves reads of
   * those keys. Written by the raft loop only; read from any thread.
   */
  private final ValueCache valueCache = new ValueCache(CACHED_VALUE_BYTES);
  /** Runs before each operation is executed: a seam for tests to make applying an operation fail. */
  private Consumer<Op> beforeOp = op -> { };

  public KvStateMachine(StorageEngine engine, KvLimits limits, SessionPolicy sessionPolicy) {
    this(engine, limits, ApplyLimits.DEFAULT, sessionPolicy);
  }

  public KvStateMachine(StorageEngine engine, KvLimits limits, ApplyLimits applyLimits, SessionPolicy sessionPolicy) {
    this.engine = engine;
    this.dataCf = engine.handle(ColumnFamily.DATA);
    this.sessionsCf = engine.handle(ColumnFamily.SESSIONS);
    this.feedCf = engine.handle(ColumnFamily.FEED);
    this.limits = limits;
    this.applyLimits = applyLimits;
    this.sessionPolicy = sessionPolicy;
    this.sessionCache = new SessionCache(CACHED_SESSIONS);
    reload();
  }

  /** Re-reads the apply state and the session order from disk, after a snapshot replaced the state underneath. */
  public void reload() {
    sessionCache.clear();
    valueCache.clear();
    byte[] stored = engine.get(ColumnFamily.RAFT_META, Keys.APPLY_STATE);
    try {
      this.applyState = stored == null ? ApplyState.getDefaultInstance() : ApplyState.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "apply state is corrupt", e);
    }
    loadSessionOrder();
  }

  /** Rebuilds the eviction order from the stored session headers (sessions of older versions have index 0). */
  private void loadSessionOrder() {
    sessionOrder.clear();
    try (Slice lower = new Slice(new byte[] {'h'});
        Slice upper = new Slice(new byte[] {'i'});
        ReadOptions options = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
        RocksIterator it = engine.db().newIterator(sessionsCf, options)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        long clientId = Keys.getU64(it.key(), 1);
        try {
          sessionOrder.put(clientId, ClientSession.parseFrom(it.value()).getLastWriteIndex());
        } catch (InvalidProtocolBufferException e) {
          throw new DataDirectoryException(engine.directory(), "session of client " + clientId + " is corrupt", e);
        }
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StorageIoException("reading the client sessions failed", e);
    }
  }

  public KvLimits limits() {
    return limits;
  }

  public ApplyLimits applyLimits() {
    return applyLimits;
  }

  /** The last applied index and term whose effects are written. */
  public ApplyState applyState() {
    return applyState;
  }

  /** Live client sessions as of the last written round. */
  public int sessionCount() {
    return sessionOrder.size();
  }

  /** Replaces the hook run before each operation is executed (tests: make an operation fail). */
  void beforeEachOp(Consumer<Op> hook) {
    this.beforeOp = hook;
  }

  public ApplyBatch newBatch() {
    return new ApplyBatch(applyState.getAppliedIndex(), applyState.getAppliedTerm());
  }

  /**
   * Applies the command in a normal entry's data at {@code index}; the outcome is deterministic, so every
   * replica computes the same response. A command that cannot be applied (malformed, over a limit, or one
   * the state machine's own code fails on) is answered with an error and leaves no effect; only a storage
   * failure is thrown.
   */
  public WriteOutcome applyCommand(ApplyBatch batch, long index, long term, ByteString data) {
    Command command;
    try {
      command = Command.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      markApplied(batch, index, term);
      return WriteOutcome.failed(Error.Code.APPLY_REFUSED, "entry " + index + " is not a command ("
          + e.getMessage() + "); it applied as a no-op");
    }
    WriteOutcome outcome;
    batch.setSavePoint();
    try {
      outcome = applyDeduplicated(batch, index, term, command);
      batch.releaseSavePoint();
    } catch (StorageIoException | DataDirectoryException e) {
      throw e; // the disk failed or holds garbage: only these stop the node
    } catch (RuntimeException e) {
      // A failure of this code itself (not of the command's execution, handled inside): the command's
      // session bookkeeping is in doubt, so nothing of it is kept, not even its answer.
      batch.rollbackToSavePoint();
      outcome = refused(index, e);
    }
    markApplied(batch, index, term);
    return outcome;
  }

  /**
   * Whether the round's batch has reached {@link ApplyLimits#maxRoundBytes()}: the caller writes it and
   * goes on in a new one, so a backlog of committed entries never makes one batch of its whole size.
   */
  public boolean roundFull(ApplyBatch batch) {
    return batch.writeBatch().getDataSize() >= applyLimits.maxRoundBytes();
  }

  /** Records that everything through {@code index} is applied (for entries with no command). */
  public void markApplied(ApplyBatch batch, long index, long term) {
    batch.appliedIndex = index;
    batch.appliedTerm = term;
  }

  /** Stages the round's session headers and apply state into the batch; call just before writing it. */
  public void seal(ApplyBatch batch) {
    // One header write per client per round, however many of its requests the round applied.
    batch.sessions().forEach((clientId, session) -> put(batch, sessionsCf, sessionKey(clientId), session.toByteArray()));
    put(batch, engine.handle(ColumnFamily.RAFT_META), Keys.APPLY_STATE, ApplyState.newBuilder()
        .setAppliedIndex(batch.appliedIndex).setAppliedTerm(batch.appliedTerm).build().toByteArray());
  }

  /** Publishes the round's apply state once its batch is written. */
  public void onWritten(ApplyBatch batch) {
    batch.expiredSessions().forEach(clientId -> {
      sessionCache.remove(clientId);
      sessionOrder.remove(clientId);
    });
    batch.sessions().forEach((clientId, session) -> {
      sessionCache.put(clientId, session);
      sessionOrder.put(clientId, session.getLastWriteIndex());
    });
    batch.values().forEach(valueCache::put);
    applyState = ApplyState.newBuilder().setAppliedIndex(batch.appliedIndex)
        .setAppliedTerm(batch.appliedTerm).build();
  }

  /** Acknowledged spans up to this long are deleted key by key rather than with a range tombstone. */
  private static final long POINT_DELETE_SPAN = 256;

  /** Key of a client's session header in the sessions column family. */
  static byte[] sessionKey(long clientId) {
    byte[] key = new byte[9];
    key[0] = 'h';
    Keys.putU64(key, 1, clientId);
    return key;
  }

  /** Key of one answer of a client; all answers of a client share the 9-byte prefix. */
  static byte[] responseKey(long clientId, long sequence) {
    byte[] key = new byte[17];
    key[0] = 'r';
    Keys.putU64(key, 1, clientId);
    Keys.putU64(key, 9, sequence);
    return key;
  }

  /** The first key after every answer of {@code clientId}. */
  private static byte[] responsesEnd(long clientId) {
    return clientId == -1L ? new byte[] {'s'} : responseKey(clientId + 1, 0);
  }

  /** The deterministic answer to a command the state machine's code failed on: the same on every replica. */
  private static WriteOutcome refused(long index, RuntimeException e) {
    return WriteOutcome.failed(Error.Code.APPLY_REFUSED, "the write at index " + index
        + " could not be applied (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
        + e.getMessage()) + "); none of it took effect");
  }

  private WriteOutcome applyDeduplicated(ApplyBatch batch, long index, long term, Command command) {
    long clientId = command.getClientId();
    if (clientId == 0) {
      return executeOrRefuse(batch, index, term, command);
    }
    long sequence = command.getSequence();
    ClientSession stored = loadSession(batch, clientId);
    if (stored == null && command.getResumesSession()) {
      return WriteOutcome.failed(Error.Code.SESSION_EXPIRED, "client " + Long.toUnsignedString(clientId)
          + " has no session: it was evicted (the cluster keeps the " + sessionPolicy.maxSessions()
          + " most recently writing clients), so request " + Long.toUnsignedString(sequence) + " is refused rather"
          + " than risk applying it twice; start a new client");
    }
    ClientSession session = stored == null ? ClientSession.getDefaultInstance() : stored;
    // Above the highest applied sequence a request is new: no answer can be stored for it.
    boolean mayBeRetry = !session.hasHighestSequence() || sequence <= session.getHighestSequence();
    WriteOutcome cached = mayBeRetry ? loadResponse(batch, clientId, sequence) : null;
    if (cached != null) {
      return cached; // a retry: the first answer, not applied again
    }
    if (sequence <= session.getAcknowledgedSequence()) {
      return WriteOutcome.failed(Error.Code.INVALID_ARGUMENT, "request " + Long.toUnsignedString(sequence)
          + " of client " + Long.toUnsignedString(clientId) + " is at or below its acknowledged sequence "
          + session.getAcknowledgedSequence() + " (acknowledged by the client, or more than "
          + sessionPolicy.maxPendingResponses() + " requests behind its newest): its answer, if it applied,"
          + " is forgotten, so it is refused rather than risk applying it twice");
    }
    WriteOutcome outcome = executeOrRefuse(batch, index, term, command);
    byte[] key = responseKey(clientId, sequence);
    batch.stageResponse(ByteString.copyFrom(key), outcome);
    CachedResponse.Builder record = CachedResponse.newBuilder().setSequence(sequence);
    if (outcome.response() != null) {
      record.setResponse(outcome.response());
    } else {
      record.setError(outcome.error());
    }
    put(batch, sessionsCf, key, record.build().toByteArray());
    // Answers the client acknowledged are forgotten; so are those further than maxPendingResponses behind
    // its newest request (a retry of one of them is refused, never applied twice).
    long acknowledged = Math.max(session.getAcknowledgedSequence(),
        Math.max(command.getAcknowledgedSequence(), sequence - sessionPolicy.maxPendingResponses()));
    if (acknowledged > session.getAcknowledgedSequence()) {
      forgetResponses(batch, clientId, session.getAcknowledgedSequence() + 1, acknowledged);
    }
    ClientSession.Builder next = ClientSession.newBuilder().setClientId(clientId)
        .setAcknowledgedSequence(acknowledged).setLastWriteIndex(index);
    if (session.hasHighestSequence() || stored == null) {
      next.setHighestSequence(Math.max(session.getHighestSequence(), sequence));
    } // else: a session written before the field existed may hold unseen higher answers; keep looking up
    batch.stageSession(clientId, next.build());
    if (stored == null) {
      batch.addSessionCount(1);
      evictOverflow(batch, clientId);
    }
    return outcome;
  }

  /** Deletes the client's stored answers for sequences {@code from..to}, staged or on disk. */
  private void forgetResponses(ApplyBatch batch, long clientId, long from, long to) {
    if (to - from < POINT_DELETE_SPAN) {
      // The usual case, a few answers acknowledged: point deletes. (A range tombstone per write would
      // pile up and slow every later read of the column family.)
      for (long seq = from; seq <= to; seq++) {
        byte[] key = responseKey(clientId, seq);
        delete(batch, sessionsCf, key);
        batch.unstageResponse(ByteString.copyFrom(key));
      }
    } else {
      deleteRange(batch, responseKey(clientId, from),
          to == Long.MAX_VALUE ? responsesEnd(clientId) : responseKey(clientId, to + 1));
      for (ByteString k : batch.responseKeys()) {
        byte[] bytes = k.toByteArray();
        long seq = Keys.getU64(bytes, 9);
        if (Keys.getU64(bytes, 1) == clientId && seq >= from && seq <= to) {
          batch.unstageResponse(k);
        }
      }
    }
  }

  /** Evicts least recently written sessions until at most maxSessions remain (never {@code keep}'s). */
  private void evictOverflow(ApplyBatch batch, long keep) {
    while (sessionOrder.size() + batch.sessionCountDelta() > sessionPolicy.maxSessions()) {
      SessionOrder.Stamp victim = batch.evictionCursor();
      do {
        victim = sessionOrder.next(victim);
      } while (victim != null && (batch.touchedSession(victim.clientId()) || batch.expired(victim.clientId())));
      long clientId;
      if (victim != null) {
        batch.moveEvictionCursor(victim);
        clientId = victim.clientId();
      } else {
        // Every committed session is evicted or written this round (maxSessions is below the clients of
        // one round): evict the least recently written of this round's.
        SessionOrder.Stamp oldest = null;
        for (ClientSession s : batch.sessions().values()) {
          SessionOrder.Stamp stamp = new SessionOrder.Stamp(s.getLastWriteIndex(), s.getClientId());
          if (s.getClientId() != keep && (oldest == null || stamp.compareTo(oldest) < 0)) {
            oldest = stamp;
          }
        }
        if (oldest == null) {
          return;
        }
        clientId = oldest.clientId();
      }
      evict(batch, clientId);
    }
  }

  /** Deletes a client's session header and every answer it holds. */
  private void evict(ApplyBatch batch, long clientId) {
    ClientSession session = loadSession(batch, clientId);
    if (session != null && session.hasHighestSequence()
        && session.getHighestSequence() - session.getAcknowledgedSequence() < POINT_DELETE_SPAN) {
      forgetResponses(batch, clientId, session.getAcknowledgedSequence() + 1, session.getHighestSequence());
    } else {
      forgetResponses(batch, clientId, 0, Long.MAX_VALUE);
    }
    delete(batch, sessionsCf, sessionKey(clientId));
    batch.expire(clientId);
    batch.addSessionCount(-1);
  }

  /** The client's session as this round sees it, or null if it has none. */
  private ClientSession loadSession(ApplyBatch batch, long clientId) {
    ClientSession session = batch.session(clientId);
    if (session != null) {
      return session;
    }
    if (batch.expired(clientId)) {
      return null;
    }
    session = sessionCache.get(clientId);
    if (session != null) {
      return session;
    }
    byte[] stored = engine.get(ColumnFamily.SESSIONS, sessionKey(clientId));
    if (stored == null) {
      return null;
    }
    try {
      return ClientSession.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "session of client " + clientId + " is corrupt", e);
    }
  }

  private WriteOutcome loadResponse(ApplyBatch batch, long clientId, long sequence) {
    byte[] key = responseKey(clientId, sequence);
    WriteOutcome inRound = batch.response(ByteString.copyFrom(key));
    if (inRound != null) {
      return inRound;
    }
    if (batch.expired(clientId)) {
      return null;
    }
    byte[] stored = engine.get(ColumnFamily.SESSIONS, key);
    if (stored == null) {
      return null;
    }
    try {
      CachedResponse cached = CachedResponse.parseFrom(stored);
      return cached.hasError() ? WriteOutcome.failed(cached.getError()) : WriteOutcome.succeeded(cached.getResponse());
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "cached answer of client " + clientId + " is corrupt", e);
    }
  }

  /**
   * Executes the command; if that fails on anything but storage, discards whatever it staged and answers
   * with APPLY_REFUSED instead (stored like any answer, so a retry gets it too).
   */
  private WriteOutcome executeOrRefuse(ApplyBatch batch, long index, long term, Command command) {
    batch.setSavePoint();
    try {
      WriteOutcome outcome = execute(batch, index, term, command);
      batch.releaseSavePoint();
      return outcome;
    } catch (StorageIoException | DataDirectoryException e) {
      throw e;
    } catch (RuntimeException e) {
      batch.rollbackToSavePoint();
      return refused(index, e);
    }
  }

  /**
   * Runs the command's operations atomically: all of them, or none if a compare-and-set does not match.
   * Each change also becomes a change-feed event in the same batch, in the order of the operations.
   */
  private WriteOutcome execute(ApplyBatch batch, long index, long term, Command command) {
    List<Op> ops = command.getOpsList();
    // Checked again here, on the replicated command, so the bounds of ApplyLimits hold whoever proposed it.
    if (ops.isEmpty() || ops.size() > limits.maxOpsPerWrite()) {
      return WriteOutcome.failed(Error.Code.INVALID_ARGUMENT, "a write has " + ops.size()
          + " operations; 1 to " + limits.maxOpsPerWrite() + " are allowed");
    }
    for (int i = 0; i < ops.size(); i++) {
      String problem = limits.violation(ops.get(i));
      if (problem != null) {
        return WriteOutcome.failed(Error.Code.INVALID_ARGUMENT, ops.size() == 1 ? problem : "operation " + i + ": " + problem);
      }
    }
    long opsBytes = command.getSerializedSize();
    if (opsBytes > limits.maxWriteBytes() + 64L) { // 64: the command's fields besides the ops
      return WriteOutcome.failed(Error.Code.INVALID_ARGUMENT, "a write is " + opsBytes + " bytes; at most "
          + limits.maxWriteBytes() + " are allowed");
    }
    Budget previous = new Budget(command.getOmitPrevious() ? 0 : applyLimits.maxPreviousBytesPerWrite());
    Budget beforeImages = new Budget(applyLimits.maxBeforeBytesPerEntry());
    boolean withPrevious = !command.getOmitPrevious();
    Map<ByteString, StoredValue> staged = new HashMap<>();
    List<OpResult> results = new ArrayList<>(ops.size());
    List<ChangeEvent.Builder> events = new ArrayList<>(ops.size());
    boolean allMatched = true;
    for (Op op : ops) {
      beforeOp.accept(op);
      switch (op.getOpCase()) {
        case PUT -> {
          ByteString key = op.getPut().getKey();
          StoredValue before = read(batch, staged, key);
          StoredValue after = StoredValue.newBuilder().setValue(op.getPut().getValue()).setVersion(index)
              .setCreateVersion(before == null ? index : before.getCreateVersion()).build();
          staged.put(key, after);
          events.add(change(key, before, after, beforeImages));
          results.add(result(true, key, before, withPrevious, previous).setVersion(index).build());
        }
        case DELETE -> {
          ByteString key = op.getDelete().getKey();
          StoredValue before = read(batch, staged, key);
          staged.put(key, ApplyBatch.ABSENT);
          if (before != null) {
            events.add(change(key, before, null, beforeImages));
          }
          results.add(result(true, key, before, withPrevious, previous).build());
        }
        case CAS -> {
          CasOp cas = op.getCas();
          StoredValue before = read(batch, staged, cas.getKey());
          boolean matched = matches(cas, before);
          OpResult.Builder result = result(matched, cas.getKey(), before, withPrevious, previous);
          if (matched) {
            if (cas.getDeleteKey()) {
              staged.put(cas.getKey(), ApplyBatch.ABSENT);
              if (before != null) {
                events.add(change(cas.getKey(), before, null, beforeImages));
              }
            } else {
              StoredValue after = StoredValue.newBuilder().setValue(cas.getNewValue()).setVersion(index)
                  .setCreateVersion(before == null ? index : before.getCreateVersion()).build();
              staged.put(cas.getKey(), after);
              events.add(change(cas.getKey(), before, after, beforeImages));
              result.setVersion(index);
            }
          } else {
            allMatched = false;
          }
          results.add(result.build());
        }
        default -> throw new IllegalStateException("validated op without a kind");
      }
    }
    if (!allMatched) {
      List<OpResult> unapplied = new ArrayList<>(results.size());
      for (OpResult r : results) {
        unapplied.add(r.toBuilder().setVersion(0).build());
      }
      return WriteOutcome.succeeded(WriteResponse.newBuilder().setIndex(index).setApplied(false)
          .addAllResults(unapplied).setPreviousTruncated(previous.exhausted).build());
    }
    for (Map.Entry<ByteString, StoredValue> e : staged.entrySet()) {
      batch.stageValue(e.getKey(), e.getValue());
      if (e.getValue() == ApplyBatch.ABSENT) {
        delete(batch, dataCf, e.getKey().toByteArray());
      } else {
        put(batch, dataCf, e.getKey().toByteArray(), e.getValue().toByteArray());
      }
    }
    for (int sub = 0; sub < events.size(); sub++) {
      ChangeEvent event = events.get(sub).setIndex(index).setSubSequence(sub).setTerm(term)
          .setProposedAtMs(command.getProposedAtMs()).build();
      put(batch, feedCf, Keys.feedEvent(index, sub), event.toByteArray());
    }
    return WriteOutcome.succeeded(WriteResponse.newBuilder().setIndex(index).setApplied(true)
        .addAllResults(results).setPreviousTruncated(previous.exhausted).build());
  }

  /**
   * Value bytes one write may still copy into its answer or its events. Values are taken in operation
   * order until the next would not fit; from then on every value is left out, so where the cut falls
   * depends only on the command and the state, the same on every replica.
   */
  private static final class Budget {
    private long left;
    boolean exhausted;

    Budget(long bytes) {
      this.left = bytes;
    }

    /** Whether a value of {@code size} bytes may be carried (and if so, charges it). */
    boolean take(int size) {
      if (exhausted || size > left) {
        exhausted = true;
        return false;
      }
      left -= size;
      return true;
    }
  }

  /**
   * An op's result without its version yet; with the key as it was before only if the client wants it,
   * and its value only while the answer's budget lasts.
   */
  private static OpResult.Builder result(boolean matched, ByteString key, StoredValue before, boolean withPrevious,
      Budget budget) {
    OpResult.Builder result = OpResult.newBuilder().setMatched(matched);
    if (!withPrevious) {
      return result;
    }
    if (before == null || budget.take(before.getValue().size())) {
      return result.setPrevious(toKeyValue(key, before));
    }
    return result.setPrevious(versionsOnly(key, before)).setPreviousOmitted(true);
  }

  /** The change from {@code before} to {@code after} (null: absent), without its position yet. */
  private static ChangeEvent.Builder change(ByteString key, StoredValue before, StoredValue after, Budget budget) {
    ChangeEvent.Builder event = ChangeEvent.newBuilder().setKey(key)
        .setOp(before == null ? ChangeEvent.Op.CREATE : after == null ? ChangeEvent.Op.DELETE : ChangeEvent.Op.UPDATE);
    if (before != null) {
      if (budget.take(before.getValue().size())) {
        event.setBefore(toKeyValue(key, before));
      } else {
        event.setBefore(versionsOnly(key, before)).setBeforeOmitted(true);
      }
    }
    if (after != null) {
      event.setAfter(toKeyValue(key, after));
    }
    return event;
  }

  private static KeyValue versionsOnly(ByteString key, StoredValue v) {
    return KeyValue.newBuilder().setKey(key).setVersion(v.getVersion()).setCreateVersion(v.getCreateVersion()).build();
  }

  private static boolean matches(CasOp cas, StoredValue current) {
    return switch (cas.getExpectedCase()) {
      case EXPECTED_VALUE -> current != null && current.getValue().equals(cas.getExpectedValue());
      case EXPECTED_VERSION -> (current == null ? 0 : current.getVersion()) == cas.getExpectedVersion();
      case EXPECTED_NOT_SET -> false;
    };
  }

  /** The key's current record as seen by this round: staged op, earlier entry of the round, or disk. */
  private StoredValue read(ApplyBatch batch, Map<ByteString, StoredValue> staged, ByteString key) {
    StoredValue v = staged.get(key);
    if (v == null) {
      v = batch.value(key);
    }
    if (v == null) {
      v = valueCache.get(key);
    }
    if (v == null) {
      StoredValue stored = readStored(key.toByteArray());
      valueCache.put(key, stored == null ? ApplyBatch.ABSENT : stored);
      return stored;
    }
    return v == ApplyBatch.ABSENT ? null : v;
  }

  private StoredValue readStored(byte[] key) {
    return parseStored(engine.get(ColumnFamily.DATA, key));
  }

  private StoredValue parseStored(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return StoredValue.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "stored value is corrupt", e);
    }
  }

  private static KeyValue toKeyValue(ByteString key, StoredValue v) {
    if (v == null) {
      return KeyValue.newBuilder().setKey(key).build();
    }
    return KeyValue.newBuilder().setKey(key).setValue(v.getValue()).setVersion(v.getVersion())
        .setCreateVersion(v.getCreateVersion()).build();
  }

  // ---------------------------------------------------------------- reads

  // Reads may run on any thread. A recently written key is answered from the value cache, which the raft
  // loop fills after each apply round is written and before its applied index is published: a read that
  // waited for index i sees every write through i, as it would in RocksDB.

  /** The applied value of {@code key}, or null if absent. */
  public KeyValue get(ByteString key) {
    StoredValue v = valueCache.get(key);
    if (v == null) {
      v = readStored(key.toByteArray());
    }
    return v == null || v == ApplyBatch.ABSENT ? null : toKeyValue(key, v);
  }

  /** The applied values of {@code keys}, in their order, null where absent: one RocksDB call for the misses. */
  public List<KeyValue> getAll(List<ByteString> keys) {
    List<StoredValue> found = new ArrayList<>(keys.size());
    List<byte[]> misses = new ArrayList<>();
    for (ByteString key : keys) {
      StoredValue v = valueCache.get(key);
      found.add(v);
      if (v == null) {
        misses.add(key.toByteArray());
      }
    }
    List<byte[]> stored = misses.isEmpty() ? List.of() : engine.multiGet(ColumnFamily.DATA, misses);
    List<KeyValue> out = new ArrayList<>(keys.size());
    int miss = 0;
    for (int i = 0; i < keys.size(); i++) {
      StoredValue v = found.get(i);
      if (v == null) {
        v = parseStored(stored.get(miss++));
      }
      out.add(v == null || v == ApplyBatch.ABSENT ? null : toKeyValue(keys.get(i), v));
    }
    return out;
  }

  /** A scan page stops after about this many bytes of keys and values, however many keys it asked for. */
  static final long MAX_SCAN_PAGE_BYTES = 4L << 20;

  /**
   * Keys in {@code [start, end)} (empty end: no bound), in order, at most {@code limit} (0: the default
   * page of 1,000) and about 4 MiB; {@code more} says where to go on.
   */
  public ScanResponse scan(ByteString start, ByteString end, int limit, boolean keysOnly) {
    int pageSize = limit <= 0 ? 1000 : limit;
    long bytes = 0;
    ScanResponse.Builder out = ScanResponse.newBuilder();
    try (Slice upper = end.isEmpty() ? null : new Slice(end.toByteArray());
        ReadOptions options = new ReadOptions()) {
      if (upper != null) {
        options.setIterateUpperBound(upper);
      }
      try (RocksIterator it = engine.db().newIterator(dataCf, options)) {
        int count = 0;
        for (it.seek(start.toByteArray()); it.isValid(); it.next()) {
          if (count == pageSize || bytes >= MAX_SCAN_PAGE_BYTES) {
            out.setMore(true).setNextStart(ByteString.copyFrom(it.key()));
            break;
          }
          bytes += it.key().length + (keysOnly ? 0 : it.value().length);
          ByteString key = ByteString.copyFrom(it.key());
          if (keysOnly) {
            StoredValue v = StoredValue.parseFrom(it.value());
            out.addKvs(KeyValue.newBuilder().setKey(key).setVersion(v.getVersion())
                .setCreateVersion(v.getCreateVersion()));
          } else {
            out.addKvs(toKeyValue(key, StoredValue.parseFrom(it.value())));
          }
          count++;
        }
        it.status();
      }
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "stored value is corrupt", e);
    } catch (RocksDBException e) {
      throw new StorageIoException("scan failed", e);
    }
    return out.build();
  }

  private static void put(ApplyBatch batch, ColumnFamilyHandle cf, byte[] key, byte[] value) {
    try {
      batch.writeBatch().put(cf, key, value);
    } catch (RocksDBException e) {
      throw new StorageIoException("staging a write failed", e);
    }
  }

  private void deleteRange(ApplyBatch batch, byte[] from, byte[] to) {
    try {
      batch.writeBatch().deleteRange(sessionsCf, from, to);
    } catch (RocksDBException e) {
      throw new StorageIoException("staging a range delete failed", e);
    }
  }

  private static void delete(ApplyBatch batch, ColumnFamilyHandle cf, byte[] key) {
    try {
      batch.writeBatch().delete(cf, key);
    } catch (RocksDBException e) {
      throw new StorageIoException("staging a delete failed", e);
    }
  }
}
