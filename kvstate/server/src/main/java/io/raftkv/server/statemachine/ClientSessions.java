package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.Error;
import io.raftkv.server.statemachine.pb.CachedResponse;
import io.raftkv.server.statemachine.pb.ClientSession;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageIoException;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The exactly-once client sessions: each client's header (acknowledged and highest sequence, last write
 * index) and the answers it has not acknowledged, in the sessions column family, bounded by
 * {@link SessionPolicy}. Decides whether a request is new, a retry or refused; records answers; evicts the
 * least recently written session (by log index, so every replica evicts the same). Raft loop only.
 */
final class ClientSessions {
  /** Session headers kept in memory: far more clients than a cluster serves at once. */
  static final int CACHED_SESSIONS = 65_536;
  /** Acknowledged spans up to this long are deleted key by key rather than with a range tombstone. */
  private static final long POINT_DELETE_SPAN = 256;

  private final StorageEngine engine;
  private final GroupKeys keys;
  private final ColumnFamilyHandle sessionsCf;
  private final SessionPolicy policy;
  /** Session headers as stored, so applying a write does not read RocksDB for them. */
  private final SessionCache cache = new SessionCache(CACHED_SESSIONS);
  /** Every committed session in eviction order. */
  private final SessionOrder order = new SessionOrder();

  /** The sessions of the group whose keys are {@code keys}, stored in {@code engine}. */
  ClientSessions(StorageEngine engine, GroupKeys keys, SessionPolicy policy) {
    this.engine = engine;
    this.keys = keys;
    this.sessionsCf = engine.handle(ColumnFamily.SESSIONS);
    this.policy = policy;
    reload();
  }

  /** Forgets what is in memory and rebuilds the eviction order from the stored headers (older versions': index 0). */
  void reload() {
    cache.clear();
    order.clear();
    try (Slice lower = new Slice(keys.sessionHeadersStart());
        Slice upper = new Slice(keys.sessionHeadersEnd());
        ReadOptions options = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
        RocksIterator it = engine.db().newIterator(sessionsCf, options)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        long clientId = keys.sessionClientOf(it.key());
        order.put(clientId, parseHeader(clientId, it.value()).getLastWriteIndex());
      }
      it.status();
    } catch (RocksDBException e) {
      throw new StorageIoException("reading the client sessions failed", e);
    }
  }

  /** Live sessions as of the last written round. */
  int size() {
    return order.size();
  }

  /** Whether {@code command} is to be executed, as this round sees the client's session. */
  SessionDecision admit(ApplyBatch batch, Command command) {
    long clientId = command.getClientId();
    if (clientId == 0) {
      return new SessionDecision.Unsessioned();
    }
    long sequence = command.getSequence();
    ClientSession stored = load(batch, clientId);
    if (stored == null && command.getResumesSession()) {
      return new SessionDecision.Expired(error(Error.Code.SESSION_EXPIRED, "client "
          + Long.toUnsignedString(clientId) + " has no session: it was evicted (the cluster keeps the "
          + policy.maxSessions() + " most recently writing clients), so request " + Long.toUnsignedString(sequence)
          + " is refused rather than risk applying it twice; start a new client"));
    }
    ClientSession session = stored == null ? ClientSession.getDefaultInstance() : stored;
    // Above the highest applied sequence a request is new: no answer can be stored for it.
    boolean mayBeRetry = !session.hasHighestSequence() || sequence <= session.getHighestSequence();
    WriteOutcome answered = mayBeRetry ? loadResponse(batch, clientId, sequence) : null;
    if (answered != null) {
      return new SessionDecision.Duplicate(answered);
    }
    if (sequence <= session.getAcknowledgedSequence()) {
      return new SessionDecision.Stale(error(Error.Code.INVALID_ARGUMENT, "request "
          + Long.toUnsignedString(sequence) + " of client " + Long.toUnsignedString(clientId)
          + " is at or below its acknowledged sequence " + session.getAcknowledgedSequence()
          + " (acknowledged by the client, or more than " + policy.maxPendingResponses() + " requests behind its"
          + " newest): its answer, if it applied, is forgotten, so it is refused rather than risk applying it twice"));
    }
    return new SessionDecision.New(session, stored == null);
  }

  /**
   * Stages the answer to the new request {@code command} applied at {@code index}, forgets the answers it
   * acknowledges, moves its session on, and evicts sessions past the bound if it opened one.
   */
  void record(ApplyBatch batch, long index, Command command, SessionDecision.New decision, WriteOutcome answer) {
    long clientId = command.getClientId();
    long sequence = command.getSequence();
    ClientSession session = decision.session();
    byte[] key = keys.sessionResponse(clientId, sequence);
    batch.stageResponse(ByteString.copyFrom(key), answer);
    CachedResponse.Builder record = CachedResponse.newBuilder().setSequence(sequence);
    if (answer.response() != null) {
      record.setResponse(answer.response());
    } else {
      record.setError(answer.error());
    }
    batch.put(sessionsCf, key, record.build().toByteArray());
    // Answers the client acknowledged are forgotten; so are those further than maxPendingResponses behind
    // its newest request (a retry of one of them is refused, never applied twice).
    long acknowledged = Math.max(session.getAcknowledgedSequence(),
        Math.max(command.getAcknowledgedSequence(), sequence - policy.maxPendingResponses()));
    if (acknowledged > session.getAcknowledgedSequence()) {
      forgetResponses(batch, clientId, session.getAcknowledgedSequence() + 1, acknowledged);
    }
    ClientSession.Builder next = ClientSession.newBuilder().setClientId(clientId)
        .setAcknowledgedSequence(acknowledged).setLastWriteIndex(index);
    if (session.hasHighestSequence() || decision.opensSession()) {
      next.setHighestSequence(Math.max(session.getHighestSequence(), sequence));
    } // else: a session written before the field existed may hold unseen higher answers; keep looking up
    batch.stageSession(clientId, next.build());
    if (decision.opensSession()) {
      batch.addSessionCount(1);
      evictOverflow(batch, clientId);
    }
  }

  /** Stages the round's session headers: one write per client per round, however many of its requests it applied. */
  void stageHeaders(ApplyBatch batch) {
    batch.sessions().forEach((clientId, session) ->
        batch.put(sessionsCf, keys.sessionHeader(clientId), session.toByteArray()));
  }

  /** Takes in the round's sessions once its batch is written. */
  void onWritten(ApplyBatch batch) {
    batch.expiredSessions().forEach(clientId -> {
      cache.remove(clientId);
      order.remove(clientId);
    });
    batch.sessions().forEach((clientId, session) -> {
      cache.put(clientId, session);
      order.put(clientId, session.getLastWriteIndex());
    });
  }

  /** Deletes the client's stored answers for sequences {@code from..to}, staged or on disk. */
  private void forgetResponses(ApplyBatch batch, long clientId, long from, long to) {
    if (to - from < POINT_DELETE_SPAN) {
      // The usual case, a few answers acknowledged: point deletes. (A range tombstone per write would
      // pile up and slow every later read of the column family.)
      for (long seq = from; seq <= to; seq++) {
        byte[] key = keys.sessionResponse(clientId, seq);
        batch.delete(sessionsCf, key);
        batch.unstageResponse(ByteString.copyFrom(key));
      }
    } else {
      batch.deleteRange(sessionsCf, keys.sessionResponse(clientId, from),
          to == Long.MAX_VALUE ? keys.sessionResponsesEnd(clientId) : keys.sessionResponse(clientId, to + 1));
      for (ByteString k : batch.responseKeys()) {
        byte[] bytes = k.toByteArray();
        long seq = keys.sessionSequenceOf(bytes);
        if (keys.sessionClientOf(bytes) == clientId && seq >= from && seq <= to) {
          batch.unstageResponse(k);
        }
      }
    }
  }

  /** Evicts least recently written sessions until at most maxSessions remain (never {@code keep}'s). */
  private void evictOverflow(ApplyBatch batch, long keep) {
    while (order.size() + batch.sessionCountDelta() > policy.maxSessions()) {
      SessionOrder.Stamp victim = batch.evictionCursor();
      do {
        victim = order.next(victim);
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
    ClientSession session = load(batch, clientId);
    if (session != null && session.hasHighestSequence()
        && session.getHighestSequence() - session.getAcknowledgedSequence() < POINT_DELETE_SPAN) {
      forgetResponses(batch, clientId, session.getAcknowledgedSequence() + 1, session.getHighestSequence());
    } else {
      forgetResponses(batch, clientId, 0, Long.MAX_VALUE);
    }
    batch.delete(sessionsCf, keys.sessionHeader(clientId));
    batch.expire(clientId);
    batch.addSessionCount(-1);
  }

  /** The client's session as this round sees it, or null if it has none. */
  private ClientSession load(ApplyBatch batch, long clientId) {
    ClientSession session = batch.session(clientId);
    if (session != null) {
      return session;
    }
    if (batch.expired(clientId)) {
      return null;
    }
    session = cache.get(clientId);
    if (session != null) {
      return session;
    }
    byte[] stored = engine.get(ColumnFamily.SESSIONS, keys.sessionHeader(clientId));
    return stored == null ? null : parseHeader(clientId, stored);
  }

  /** The stored answer to the client's request {@code sequence} as this round sees it, or null. */
  private WriteOutcome loadResponse(ApplyBatch batch, long clientId, long sequence) {
    byte[] key = keys.sessionResponse(clientId, sequence);
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

  private ClientSession parseHeader(long clientId, byte[] bytes) {
    try {
      return ClientSession.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "session of client " + clientId + " is corrupt", e);
    }
  }

  private static Error error(Error.Code code, String message) {
    return Error.newBuilder().setCode(code).setMessage(message).build();
  }
}
