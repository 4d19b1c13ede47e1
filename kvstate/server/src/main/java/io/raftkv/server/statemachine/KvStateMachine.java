package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Error;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Op;
import io.raftkv.api.ScanResponse;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.auth.AuthApply;
import io.raftkv.server.auth.AuthLimits;
import io.raftkv.server.auth.AuthView;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageIoException;
import io.raftkv.server.storage.pb.ApplyState;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The replicated key-value state machine: applies client writes (put, delete, compare-and-set, atomic
 * batches) exactly once per client request, versions every key by the log index that changed it, records
 * each change in the change feed in the same batch, and serves reads from the applied state. Writes come
 * from the raft loop thread only; reads from any.
 *
 * <p>It orchestrates the apply of one command (decode, session check, execute, record the answer, mark
 * applied); each step is one helper that returns a value: {@link CommandCodec}, {@link ClientSessions},
 * {@link OpExecutor}; reads are {@link KvReader}'s.
 *
 * <p>Applying an entry is deterministic, bounded and cannot stop the node: answers and change events carry
 * previous values only up to {@link ApplyLimits}; a command that cannot be applied becomes an error answer
 * (APPLY_REFUSED) with none of its effects; sessions are bounded by count, evicted by log index. Only a
 * storage failure propagates.
 */
public final class KvStateMachine {
  /** Bytes of recently written records kept in memory, so a write seldom reads the value it replaces from disk. */
  static final long CACHED_VALUE_BYTES = 32L << 20;

  private final StorageEngine engine;
  private final GroupKeys keys;
  private final ColumnFamilyHandle dataCf;
  private final ColumnFamilyHandle feedCf;
  private final KvLimits limits;
  private final ApplyLimits applyLimits;
  /**
   * Recently written keys' records as stored: spares applying a write a RocksDB read, and serves reads of
   * those keys. Written by the raft loop only; read from any thread.
   */
  private final ValueCache valueCache = new ValueCache(CACHED_VALUE_BYTES);
  private final KvReader reader;
  private final ClientSessions sessions;
  private final OpExecutor executor;
  private final AuthApply authApply;
  private volatile ApplyState applyState;
  /** The users, roles and auth flag as of the last written round: what services check calls against. */
  private volatile AuthView authView;
  /** The same as applied so far, including the round not yet written (raft loop only). */
  private AuthView appliedAuth;

  public KvStateMachine(StorageEngine engine, GroupKeys keys, KvLimits limits, SessionPolicy sessionPolicy) {
    this(engine, keys, limits, ApplyLimits.DEFAULT, sessionPolicy);
  }

  /** The state machine of the group whose keys are {@code keys}. */
  public KvStateMachine(StorageEngine engine, GroupKeys keys, KvLimits limits, ApplyLimits applyLimits,
      SessionPolicy sessionPolicy) {
    this.engine = engine;
    this.keys = keys;
    this.dataCf = engine.handle(ColumnFamily.DATA);
    this.feedCf = engine.handle(ColumnFamily.FEED);
    this.limits = limits;
    this.applyLimits = applyLimits;
    this.reader = new KvReader(engine, valueCache);
    this.sessions = new ClientSessions(engine, keys, sessionPolicy);
    this.executor = new OpExecutor(limits, applyLimits, reader);
    this.authApply = new AuthApply(keys, new AuthLimits(limits.maxKeyBytes()));
    this.applyState = loadApplyState();
    this.appliedAuth = AuthView.load(engine, keys);
    this.authView = appliedAuth;
  }

  /** Re-reads the apply state and the session order from disk, after a snapshot replaced the state underneath. */
  public void reload() {
    valueCache.clear();
    sessions.reload();
    // The users and roles first: whoever sees the new applied index must see the state it stands for.
    this.appliedAuth = AuthView.load(engine, keys);
    this.authView = appliedAuth;
    this.applyState = loadApplyState();
  }

  private ApplyState loadApplyState() {
    byte[] stored = engine.get(ColumnFamily.RAFT_META, keys.applyState());
    try {
      return stored == null ? ApplyState.getDefaultInstance() : ApplyState.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "apply state is corrupt", e);
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
    return sessions.size();
  }

  /** Replaces the hook run before each operation is executed (tests: make an operation fail). */
  void beforeEachOp(Consumer<Op> hook) {
    executor.beforeEachOp(hook);
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
    CommandCodec.Decoded decoded = CommandCodec.decode(index, data);
    if (decoded instanceof CommandCodec.Decoded.Malformed malformed) {
      markApplied(batch, index, term);
      return WriteOutcome.failed(malformed.error());
    }
    Command command = ((CommandCodec.Decoded.Valid) decoded).command();
    if (command.hasAuth()) {
      WriteOutcome outcome = applyAuth(batch, index, command.getAuth());
      markApplied(batch, index, term);
      return outcome;
    }
    WriteOutcome outcome;
    batch.setSavePoint();
    try {
      outcome = applyOnce(batch, index, term, command);
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
   * Applies a change of users, roles or the auth flag: {@link AuthApply} checks and computes it, its records
   * go into the sessions family's auth range. Refused changes write nothing and answer INVALID_ARGUMENT.
   */
  private WriteOutcome applyAuth(ApplyBatch batch, long index, AuthChange change) {
    AuthApply.Outcome outcome;
    try {
      outcome = authApply.apply(appliedAuth, index, change);
    } catch (RuntimeException e) {
      return refused(index, e);
    }
    if (outcome instanceof AuthApply.Outcome.Refused refusal) {
      return WriteOutcome.failed(Error.Code.INVALID_ARGUMENT, refusal.message());
    }
    AuthApply.Outcome.Applied applied = (AuthApply.Outcome.Applied) outcome;
    ColumnFamilyHandle sessionsCf = engine.handle(ColumnFamily.SESSIONS);
    for (AuthApply.Write w : applied.writes()) {
      if (w.value() == null) {
        batch.delete(sessionsCf, w.key());
      } else {
        batch.put(sessionsCf, w.key(), w.value());
      }
    }
    appliedAuth = applied.view();
    return WriteOutcome.succeeded(WriteResponse.newBuilder().setIndex(index).setApplied(applied.changed()).build());
  }

  /** Executes the command unless its session says it must not be, and records its answer in the session. */
  private WriteOutcome applyOnce(ApplyBatch batch, long index, long term, Command command) {
    SessionDecision decision = sessions.admit(batch, command);
    if (decision instanceof SessionDecision.Duplicate duplicate) {
      return duplicate.answer(); // a retry: the first answer, not applied again
    }
    if (decision instanceof SessionDecision.Expired expired) {
      return WriteOutcome.failed(expired.error());
    }
    if (decision instanceof SessionDecision.Stale stale) {
      return WriteOutcome.failed(stale.error());
    }
    WriteOutcome outcome = executeOrRefuse(batch, index, term, command);
    if (decision instanceof SessionDecision.New fresh) {
      sessions.record(batch, index, command, fresh, outcome);
    }
    return outcome;
  }

  /**
   * Executes the command and stages what it writes; if that fails on anything but storage, discards
   * whatever it staged and answers with APPLY_REFUSED instead (stored like any answer, so a retry gets it too).
   */
  private WriteOutcome executeOrRefuse(ApplyBatch batch, long index, long term, Command command) {
    batch.setSavePoint();
    try {
      Execution execution = executor.execute(batch, index, term, command);
      stage(batch, execution);
      batch.releaseSavePoint();
      return execution.outcome();
    } catch (StorageIoException | DataDirectoryException e) {
      throw e;
    } catch (RuntimeException e) {
      batch.rollbackToSavePoint();
      return refused(index, e);
    }
  }

  /** Stages an execution's data writes and its change events (in the feed's column family) into the round. */
  private void stage(ApplyBatch batch, Execution execution) {
    for (Map.Entry<ByteString, StoredValue> e : execution.writes().entrySet()) {
      batch.stageValue(e.getKey(), e.getValue());
      if (e.getValue() == ApplyBatch.ABSENT) {
        batch.delete(dataCf, e.getKey().toByteArray());
      } else {
        batch.put(dataCf, e.getKey().toByteArray(), e.getValue().toByteArray());
      }
    }
    for (ChangeEvent event : execution.events()) {
      batch.put(feedCf, keys.feedEvent(event.getIndex(), event.getSubSequence()), event.toByteArray());
    }
  }

  /** The deterministic answer to a command the state machine's code failed on: the same on every replica. */
  private static WriteOutcome refused(long index, RuntimeException e) {
    return WriteOutcome.failed(Error.Code.APPLY_REFUSED, "the write at index " + index
        + " could not be applied (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
        + e.getMessage()) + "); none of it took effect");
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
    sessions.stageHeaders(batch);
    batch.put(engine.handle(ColumnFamily.RAFT_META), keys.applyState(), ApplyState.newBuilder()
        .setAppliedIndex(batch.appliedIndex).setAppliedTerm(batch.appliedTerm).build().toByteArray());
  }

  /** Publishes the round's apply state once its batch is written. */
  public void onWritten(ApplyBatch batch) {
    sessions.onWritten(batch);
    batch.values().forEach(valueCache::put);
    authView = appliedAuth;
    applyState = ApplyState.newBuilder().setAppliedIndex(batch.appliedIndex)
        .setAppliedTerm(batch.appliedTerm).build();
  }

  // ---------------------------------------------------------------- reads (any thread)

  /** The users, roles and auth flag as of the last written round. */
  public AuthView authView() {
    return authView;
  }

  /** The applied value of {@code key}, or null if absent. */
  public KeyValue get(ByteString key) {
    return reader.get(key);
  }

  /** The applied values of {@code keys}, in their order, null where absent: one RocksDB call for the misses. */
  public List<KeyValue> getAll(List<ByteString> keys) {
    return reader.getAll(keys);
  }

  /**
   * Keys in {@code [start, end)} (empty end: no bound), in order, at most {@code limit} (0: the default
   * page of 1,000) and about 4 MiB; {@code more} says where to go on.
   */
  public ScanResponse scan(ByteString start, ByteString end, int limit, boolean keysOnly) {
    return reader.scan(start, end, limit, keysOnly);
  }
}
