package io.raftkv.server.statemachine;

import static io.raftkv.server.testing.Ops.b;
import static io.raftkv.server.testing.Ops.put;
import static io.raftkv.server.testing.Ops.delete;
import static io.raftkv.server.testing.Ops.casValue;
import static io.raftkv.server.testing.Ops.casVersion;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.ScanResponse;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KV state machine over real RocksDB: versions, compare-and-set, atomic batches, exactly-once. */
class KvStateMachineTest {
  private static final io.raftkv.server.storage.GroupKeys GROUP =
      io.raftkv.server.storage.GroupKeys.firstGroup();
  @TempDir
  Path dir;

  private StorageEngine engine;
  private KvStateMachine sm;
  private long index;

  @BeforeEach
  void open() {
    engine = StorageEngine.open(dir, "c1", 1);
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, new SessionPolicy(1_000, 8));
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private WriteOutcome apply(long clientId, long seq, long ack, long nowMs, Op... ops) {
    return apply(Command.newBuilder().setClientId(clientId).setSequence(seq).setAcknowledgedSequence(ack)
        .setProposedAtMs(nowMs).addAllOps(List.of(ops)).build());
  }

  /** Applies {@code cmd} at the next index in a round of its own, as the raft loop would. */
  private WriteOutcome apply(Command cmd) {
    index++;
    try (ApplyBatch batch = sm.newBatch()) {
      WriteOutcome outcome = sm.applyCommand(batch, index, 1, cmd.toByteString());
      sm.seal(batch);
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
      return outcome;
    }
  }

  private WriteOutcome apply(Op... ops) {
    return apply(0, 0, 0, 0, ops);
  }

  private WriteOutcome applyOmittingPrevious(long clientId, long seq, Op... ops) {
    return apply(Command.newBuilder().setClientId(clientId).setSequence(seq).setOmitPrevious(true)
        .addAllOps(List.of(ops)).build());
  }

  @Test
  void writeAskedToOmitPreviousAnswersWithoutTheReplacedValuesAndItsRetryGetsTheSameAnswer() {
    apply(put("a", "1"), put("b", "2"));
    WriteOutcome first = applyOmittingPrevious(7, 1, put("a", "3"), delete("b"), casValue("c", "x", "y"));
    assertThat(first.response().getApplied()).isFalse(); // the compare-and-set on an absent key fails
    assertThat(first.response().getResultsList()).allSatisfy(r -> assertThat(r.hasPrevious()).isFalse());
    WriteOutcome applied = applyOmittingPrevious(7, 2, put("a", "3"), delete("b"));
    assertThat(applied.response().getApplied()).isTrue();
    assertThat(applied.response().getResults(0).getVersion()).isEqualTo(index);
    assertThat(applied.response().getResultsList()).allSatisfy(r -> assertThat(r.hasPrevious()).isFalse());
    assertThat(sm.get(b("a")).getValue()).isEqualTo(b("3"));
    assertThat(sm.get(b("b"))).isNull();

    WriteOutcome retry = applyOmittingPrevious(7, 2, put("a", "3"), delete("b"));
    assertThat(retry.response()).isEqualTo(applied.response());
    assertThat(sm.get(b("a")).getVersion()).isEqualTo(applied.response().getIndex()); // not applied again
  }

  @Test
  void writeNotAskingToOmitPreviousReportsTheReplacedValues() {
    apply(put("a", "1"));
    WriteOutcome out = apply(put("a", "2"), put("n", "new"));
    assertThat(out.response().getResults(0).getPrevious().getValue()).isEqualTo(b("1"));
    assertThat(out.response().getResults(0).getPrevious().getVersion()).isEqualTo(1);
    assertThat(out.response().getResults(1).hasPrevious()).isTrue();
    assertThat(out.response().getResults(1).getPrevious().getVersion()).isZero(); // absent before
  }

  @Test
  void putStoresValueVersionedByItsLogIndex() {
    apply(put("a", "1"));
    apply(put("a", "2"));
    KeyValue kv = sm.get(b("a"));
    assertThat(kv.getValue()).isEqualTo(b("2"));
    assertThat(kv.getVersion()).isEqualTo(2);
    assertThat(kv.getCreateVersion()).isEqualTo(1);
    assertThat(sm.applyState().getAppliedIndex()).isEqualTo(2);
  }

  @Test
  void getAllReadsEveryKeyInOrderWithNullForAbsentOnes() {
    apply(put("a", "1"));
    apply(put("c", "3"));
    List<KeyValue> values = sm.getAll(List.of(b("c"), b("b"), b("a"), b("c")));
    assertThat(values).hasSize(4);
    assertThat(values.get(0).getValue()).isEqualTo(b("3"));
    assertThat(values.get(0).getVersion()).isEqualTo(2);
    assertThat(values.get(1)).isNull();
    assertThat(values.get(2).getValue()).isEqualTo(b("1"));
    assertThat(values.get(3)).isEqualTo(values.get(0));
    assertThat(sm.getAll(List.of())).isEmpty();
  }

  @Test
  void readsFromTheValueCacheAgreeWithReadsFromRocksDb() {
    apply(put("a", "1"));
    apply(put("b", "2"));
    apply(delete("b"));
    apply(put("a", "3"));
    List<KeyValue> cached = sm.getAll(List.of(b("a"), b("b"), b("c")));
    KeyValue single = sm.get(b("a"));
    sm.reload(); // forgets every cached record: the same reads now come from RocksDB
    List<KeyValue> stored = sm.getAll(List.of(b("a"), b("b"), b("c")));
    assertThat(cached).isEqualTo(stored);
    assertThat(stored.get(0).getValue()).isEqualTo(b("3"));
    assertThat(stored.get(0).getVersion()).isEqualTo(4);
    assertThat(stored.get(1)).isNull();
    assertThat(stored.get(2)).isNull();
    assertThat(single).isEqualTo(sm.get(b("a")));
    assertThat(sm.get(b("b"))).isNull();
  }

  @Test
  void deleteRemovesKeyAndReportsPreviousValue() {
    apply(put("a", "1"));
    WriteOutcome out = apply(delete("a"));
    assertThat(sm.get(b("a"))).isNull();
    assertThat(out.response().getResults(0).getPrevious().getValue()).isEqualTo(b("1"));
  }

  @Test
  void compareAndSetOnValueAppliesOnlyWhenValueMatches() {
    apply(put("a", "1"));
    assertThat(apply(casValue("a", "x", "2")).response().getApplied()).isFalse();
    assertThat(sm.get(b("a")).getValue()).isEqualTo(b("1"));
    assertThat(apply(casValue("a", "1", "2")).response().getApplied()).isTrue();
    assertThat(sm.get(b("a")).getValue()).isEqualTo(b("2"));
  }

  @Test
  void compareAndSetOnVersionZeroCreatesOnlyAbsentKeys() {
    assertThat(apply(casVersion("a", 0, "first")).response().getApplied()).isTrue();
    assertThat(apply(casVersion("a", 0, "second")).response().getApplied()).isFalse();
    long version = sm.get(b("a")).getVersion();
    assertThat(apply(casVersion("a", version, "third")).response().getApplied()).isTrue();
    assertThat(sm.get(b("a")).getValue()).isEqualTo(b("third"));
  }

  @Test
  void batchWithFailedCompareAndSetAppliesNothing() {
    apply(put("a", "1"));
    WriteOutcome out = apply(put("b", "new"), casValue("a", "wrong", "2"), delete("a"));
    assertThat(out.response().getApplied()).isFalse();
    assertThat(out.response().getResults(1).getMatched()).isFalse();
    assertThat(sm.get(b("b"))).isNull();
    assertThat(sm.get(b("a")).getValue()).isEqualTo(b("1"));
  }

  @Test
  void batchOperationsSeeEarlierOperationsOfTheSameBatch() {
    WriteOutcome out = apply(put("a", "1"), casValue("a", "1", "2"));
    assertThat(out.response().getApplied()).isTrue();
    assertThat(sm.get(b("a")).getValue()).isEqualTo(b("2"));
  }

  @Test
  void retriedRequestReturnsFirstAnswerAndDoesNotApplyTwice() {
    WriteOutcome first = apply(7, 1, 0, 1000, casVersion("k", 0, "v"));
    assertThat(first.response().getApplied()).isTrue();
    // The same request again (a retry after a lost answer): had it applied again, the CAS would fail.
    WriteOutcome retry = apply(7, 1, 0, 1001, casVersion("k", 0, "v"));
    assertThat(retry.response()).isEqualTo(first.response());
    assertThat(sm.get(b("k")).getVersion()).isEqualTo(first.response().getIndex());
  }

  @Test
  void requestsArrivingOutOfOrderApplyOnceAndRetriesOfEitherGetTheirFirstAnswer() {
    // Concurrent requests of one client may reach the log out of order: 2 before 1.
    WriteOutcome second = apply(7, 2, 0, 1000, casVersion("b", 0, "2"));
    WriteOutcome first = apply(7, 1, 0, 1000, casVersion("a", 0, "1"));
    assertThat(first.response().getApplied()).isTrue();
    // Had either applied again, its compare-and-set on an absent key would now fail.
    assertThat(apply(7, 1, 0, 1001, casVersion("a", 0, "1")).response()).isEqualTo(first.response());
    assertThat(apply(7, 2, 0, 1001, casVersion("b", 0, "2")).response()).isEqualTo(second.response());
  }

  @Test
  void requestsOfOneClientInOneRoundApplyOnceEach() {
    Command.Builder c = Command.newBuilder().setClientId(7).setProposedAtMs(1000);
    try (ApplyBatch batch = sm.newBatch()) {
      WriteOutcome a = sm.applyCommand(batch, ++index, 1, c.setSequence(1).clearOps()
          .addOps(casVersion("k", 0, "1")).build().toByteString());
      WriteOutcome retryInRound = sm.applyCommand(batch, ++index, 1, c.setSequence(1).build().toByteString());
      WriteOutcome b = sm.applyCommand(batch, ++index, 1, c.setSequence(2).clearOps()
          .addOps(casVersion("k", 1, "2")).build().toByteString());
      sm.seal(batch);
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
      assertThat(retryInRound.response()).isEqualTo(a.response());
      assertThat(b.response().getApplied()).isTrue();
    }
    assertThat(sm.get(b("k")).getValue()).isEqualTo(b("2"));
    assertThat(sm.get(b("k")).getVersion()).isEqualTo(3);
  }

  @Test
  void sessionsAreReadFromDiskAgainAfterTheStateIsReplacedUnderneath() throws Exception {
    apply(7, 1, 0, 1000, put("k", "v1"));
    // A snapshot from a leader that also applied request 2 of client 7 replaces the state underneath.
    io.raftkv.api.WriteResponse answer2 = io.raftkv.api.WriteResponse.newBuilder().setIndex(50).setApplied(true)
        .build();
    var sessions = engine.handle(io.raftkv.server.storage.ColumnFamily.SESSIONS);
    try (org.rocksdb.WriteBatch installed = new org.rocksdb.WriteBatch()) {
      installed.put(sessions, GROUP.sessionHeader(7), io.raftkv.server.statemachine.pb.ClientSession
          .newBuilder().setClientId(7).setLastActiveMs(1000).setHighestSequence(2).build().toByteArray());
      installed.put(sessions, GROUP.sessionResponse(7, 2), io.raftkv.server.statemachine.pb.CachedResponse
          .newBuilder().setSequence(2).setResponse(answer2).build().toByteArray());
      engine.write(installed, false);
    }
    sm.reload();
    // A session still cached from before (highest sequence 1) would take request 2 for new and apply it.
    WriteOutcome retry = apply(7, 2, 0, 1001, casVersion("k", 0, "v2"));
    assertThat(retry.response()).isEqualTo(answer2);
    assertThat(sm.get(b("k")).getValue()).isEqualTo(b("v1"));
  }

  @Test
  void valuesAreReadFromDiskAgainAfterTheStateIsReplacedUnderneath() throws Exception {
    apply(put("k", "v1")); // now cached as the record the next write to k replaces
    // A snapshot replaces the state underneath: k holds v9 at version 40 there.
    try (org.rocksdb.WriteBatch installed = new org.rocksdb.WriteBatch()) {
      installed.put(engine.handle(io.raftkv.server.storage.ColumnFamily.DATA), b("k").toByteArray(),
          io.raftkv.server.statemachine.pb.StoredValue.newBuilder().setValue(b("v9")).setVersion(40)
              .setCreateVersion(30).build().toByteArray());
      engine.write(installed, false);
    }
    sm.reload();
    // A record still cached from before would make v1 the previous value and wrongly match this compare-and-set.
    WriteOutcome cas = apply(casVersion("k", 40, "v10"));
    assertThat(cas.response().getApplied()).isTrue();
    assertThat(cas.response().getResults(0).getPrevious().getValue()).isEqualTo(b("v9"));
    assertThat(sm.get(b("k")).getCreateVersion()).isEqualTo(30);
  }

  @Test
  void sessionsSurviveRestart() {
    WriteOutcome first = apply(7, 1, 0, 1000, put("k", "v1"));
    engine.close();
    open();
    index = sm.applyState().getAppliedIndex();
    WriteOutcome retry = apply(7, 1, 0, 1001, put("k", "v1"));
    assertThat(retry.response()).isEqualTo(first.response());
    assertThat(sm.get(b("k")).getVersion()).isEqualTo(1);
  }

  @Test
  void acknowledgedRequestIsRefusedRatherThanAppliedAgain() {
    apply(7, 1, 0, 1000, put("k", "v1"));
    apply(7, 2, 1, 1000, put("k", "v2"));
    WriteOutcome replay = apply(7, 1, 1, 1000, put("k", "v1"));
    assertThat(replay.error().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(sm.get(b("k")).getValue()).isEqualTo(b("v2"));
  }

  /** Applies {@code cmd} at {@code at} in a round of its own on another replica's state machine. */
  private static WriteOutcome applyTo(StorageEngine on, KvStateMachine replica, long at, Command cmd) {
    try (ApplyBatch batch = replica.newBatch()) {
      WriteOutcome outcome = replica.applyCommand(batch, at, 1, cmd.toByteString());
      replica.seal(batch);
      on.write(batch.writeBatch(), false);
      replica.onWritten(batch);
      return outcome;
    }
  }

  private static Command write(long clientId, long seq, long nowMs, Op... ops) {
    return Command.newBuilder().setClientId(clientId).setSequence(seq).setProposedAtMs(nowMs)
        .addAllOps(List.of(ops)).build();
  }

  private boolean hasSession(StorageEngine on, long clientId) {
    return on.get(io.raftkv.server.storage.ColumnFamily.SESSIONS, GROUP.sessionHeader(clientId)) != null;
  }

  @Test
  void sessionsAreEvictedLeastRecentlyWrittenFirstByLogIndexOnEveryReplicaWhateverItsClock(@TempDir Path other) {
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, new SessionPolicy(3, 8));
    StorageEngine engine2 = StorageEngine.open(other, "c1", 2);
    try {
      KvStateMachine sm2 = new KvStateMachine(engine2, GROUP, KvLimits.DEFAULT, new SessionPolicy(3, 8));
      // The same entries; the proposal times differ wildly between the two logs (a leader's clock jumping
      // forward by hours, and back): eviction must not care.
      long[] clients = {10, 11, 12, 10, 13, 14, 11, 15};
      long[] clockA = {1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000};
      long[] clockB = {1_000, 36_000_000, 5, 72_000_000, 0, 999_999_999, 10, 20};
      long[] seq = new long[16];
      for (int i = 0; i < clients.length; i++) {
        long c = clients[i];
        seq[(int) c]++;
        apply(write(c, seq[(int) c], clockA[i], put("k" + c, "v" + i)));
        applyTo(engine2, sm2, index, write(c, seq[(int) c], clockB[i], put("k" + c, "v" + i)));
        for (long client = 10; client <= 15; client++) {
          assertThat(hasSession(engine2, client)).as("client %d after entry %d", client, index)
              .isEqualTo(hasSession(engine, client));
        }
      }
      // Last writes: 12@3, 10@4, 13@5, 14@6, 11@7, 15@8; three kept: the three written last.
      assertThat(List.of(hasSession(engine, 10), hasSession(engine, 11), hasSession(engine, 12),
          hasSession(engine, 13), hasSession(engine, 14), hasSession(engine, 15)))
          .containsExactly(false, true, false, false, true, true);
      assertThat(sm.sessionCount()).isEqualTo(3);
      assertThat(sm2.sessionCount()).isEqualTo(3);
    } finally {
      engine2.close();
    }
  }

  @Test
  void aLeaderClockJumpingHoursForwardDoesNotMakeARetryApplyTwice() {
    WriteOutcome first = apply(write(7, 1, 1_000, casVersion("k", 0, "v")));
    // Other clients write under a leader whose clock jumped ten hours ahead (old sessions lived an hour).
    for (long c = 100; c < 110; c++) {
      apply(write(c, 1, 36_000_000 + c, put("x" + c, "1")));
    }
    WriteOutcome retry = apply(write(7, 1, 36_000_200, casVersion("k", 0, "v")));
    assertThat(retry.response()).isEqualTo(first.response()); // had it applied again, the CAS would fail
    assertThat(sm.get(b("k")).getVersion()).isEqualTo(first.response().getIndex());
    // And back: a clock far behind the entries before it keeps nothing forever either (no clock is read).
    apply(write(8, 1, 5, put("y", "1")));
    assertThat(sm.sessionCount()).isEqualTo(12);
  }

  @Test
  void aFloodOfNewClientIdsKeepsTheSessionTableAtItsBound() {
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, new SessionPolicy(50, 8));
    for (long c = 1; c <= 400; c++) {
      apply(write(1_000 + c, 1, c, put("k", "v")));
    }
    assertThat(sm.sessionCount()).isEqualTo(50);
    // On disk: 50 headers and the one answer each of those clients holds, nothing of the evicted 350.
    int headers = 0;
    int answers = 0;
    try (var it = engine.db().newIterator(engine.handle(io.raftkv.server.storage.ColumnFamily.SESSIONS))) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        if (it.key()[io.raftkv.server.storage.GroupKeys.PREFIX_BYTES] == 'h') {
          headers++;
        } else if (it.key()[io.raftkv.server.storage.GroupKeys.PREFIX_BYTES] == 'r') {
          answers++;
        }
      }
    }
    assertThat(headers).isEqualTo(50);
    assertThat(answers).isEqualTo(50);
    assertThat(hasSession(engine, 1_400)).isTrue();
    assertThat(hasSession(engine, 1_350)).isFalse();
    // The bound holds after a restart too: the eviction order is rebuilt from the stored sessions.
    engine.close();
    engine = StorageEngine.open(dir, "c1", 1);
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, new SessionPolicy(50, 8));
    assertThat(sm.sessionCount()).isEqualTo(50);
    apply(write(5_000, 1, 0, put("k", "v")));
    assertThat(sm.sessionCount()).isEqualTo(50);
    assertThat(hasSession(engine, 1_351)).isFalse(); // the least recently written one went
    assertThat(hasSession(engine, 1_352)).isTrue();
  }

  @Test
  void anEvictedClientThatHadBeenAnsweredIsRefusedRatherThanHaveItsRetryAppliedTwice() {
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, new SessionPolicy(2, 8));
    WriteOutcome first = apply(write(7, 1, 0, casVersion("k", 0, "v")));
    assertThat(first.response().getApplied()).isTrue();
    apply(write(8, 1, 0, put("a", "1")));
    apply(write(9, 1, 0, put("b", "1"))); // evicts client 7
    assertThat(hasSession(engine, 7)).isFalse();
    WriteOutcome retry = apply(write(7, 1, 0, casVersion("k", 0, "v")).toBuilder().setResumesSession(true).build());
    assertThat(retry.error().getCode()).isEqualTo(Error.Code.SESSION_EXPIRED);
    assertThat(retry.error().getMessage()).contains("client 7").contains("evicted");
    assertThat(sm.get(b("k")).getVersion()).isEqualTo(first.response().getIndex());
    assertThat(hasSession(engine, 7)).isFalse(); // a refused request starts no session
  }

  @Test
  void sessionsWrittenBeforeWriteIndicesExistedAreEvictedFirst() throws Exception {
    var sessions = engine.handle(io.raftkv.server.storage.ColumnFamily.SESSIONS);
    try (org.rocksdb.WriteBatch old = new org.rocksdb.WriteBatch()) {
      for (long c = 1; c <= 3; c++) {
        old.put(sessions, GROUP.sessionHeader(c), io.raftkv.server.statemachine.pb.ClientSession.newBuilder()
            .setClientId(c).setLastActiveMs(1000).setHighestSequence(1).build().toByteArray());
      }
      engine.write(old, false);
    }
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, new SessionPolicy(3, 8));
    assertThat(sm.sessionCount()).isEqualTo(3);
    apply(write(2, 2, 0, put("a", "1"))); // client 2 writes again: no longer among the oldest
    apply(write(9, 1, 0, put("b", "1")));
    apply(write(10, 1, 0, put("c", "1")));
    assertThat(List.of(hasSession(engine, 1), hasSession(engine, 2), hasSession(engine, 3),
        hasSession(engine, 9), hasSession(engine, 10))).containsExactly(false, true, false, true, true);
  }

  @Test
  void acknowledgedAnswersAreForgottenAndOnlyUnacknowledgedOnesKept() {
    apply(7, 1, 0, 1000, put("a", "1"));
    apply(7, 2, 0, 1000, put("b", "1"));
    apply(7, 3, 2, 1000, put("c", "1"));
    var sessions = io.raftkv.server.storage.ColumnFamily.SESSIONS;
    assertThat(engine.get(sessions, GROUP.sessionResponse(7, 1))).isNull();
    assertThat(engine.get(sessions, GROUP.sessionResponse(7, 2))).isNull();
    assertThat(engine.get(sessions, GROUP.sessionResponse(7, 3))).isNotNull();
  }

  @Test
  void answersFurtherThanTheWindowBehindTheNewestRequestAreRefusedNotReapplied() {
    // The policy keeps 8 answers: request 10 pushes the acknowledged sequence to 2.
    for (long seq = 1; seq <= 10; seq++) {
      apply(7, seq, 0, 1000, put("k" + seq, "v"));
    }
    WriteOutcome replay = apply(7, 1, 0, 1000, put("k1", "again"));
    assertThat(replay.error().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(sm.get(b("k1")).getValue()).isEqualTo(b("v"));
    WriteOutcome retry = apply(7, 9, 0, 1000, put("k9", "v"));
    assertThat(retry.response().getIndex()).isEqualTo(9);
  }

  private static ByteString bytes(int size, char fill) {
    return b(String.valueOf(fill).repeat(size));
  }

  /** Bytes the batch of one round holds after applying {@code cmd} (the round is written as usual). */
  private long applyMeasuringBatch(Command cmd) {
    index++;
    try (ApplyBatch batch = sm.newBatch()) {
      sm.applyCommand(batch, index, 1, cmd.toByteString());
      sm.seal(batch);
      long size = batch.writeBatch().getDataSize();
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
      return size;
    }
  }

  @Test
  void previousValuesInAnAnswerStopAtTheWriteBudgetAndTheAnswerSaysWhichWereLeftOut() {
    ApplyLimits budgets = new ApplyLimits(250_000, 250_000, 64L << 20);
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, budgets, new SessionPolicy(1_000, 8));
    apply(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("big")).setValue(bytes(100_000, 'x'))).build());
    // The poison write, scaled down: 2,000 compare-and-sets that do not match, each "returning" 100 kB.
    Op[] ops = new Op[2_000];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = casValue("big", b("not it"), "y");
    }
    Command poison = write(7, 1, 0, ops);
    long batchBytes = applyMeasuringBatch(poison);
    io.raftkv.api.WriteResponse answer;
    try (ApplyBatch retry = sm.newBatch()) {
      answer = sm.applyCommand(retry, index + 1, 1, poison.toByteString()).response(); // the stored answer
    }
    assertThat(answer.getApplied()).isFalse();
    assertThat(answer.getPreviousTruncated()).isTrue();
    assertThat(answer.getResults(0).getPrevious().getValue().size()).isEqualTo(100_000);
    assertThat(answer.getResults(1).getPrevious().getValue().size()).isEqualTo(100_000);
    assertThat(answer.getResults(2).getPreviousOmitted()).isTrue(); // a third would pass 250,000 bytes
    assertThat(answer.getResults(2).getPrevious().getValue()).isEmpty();
    assertThat(answer.getResults(2).getPrevious().getVersion()).isEqualTo(1); // versions are still told
    assertThat(answer.getResults(1_999).getPreviousOmitted()).isTrue();
    assertThat(answer.getSerializedSize()).isLessThan(250_000 + poison.getSerializedSize() + 100 * ops.length);
    // The stored answer (what a retry gets) is that bounded answer: the whole round stays small.
    assertThat(batchBytes).isLessThan(budgets.maxApplyBytesPerWrite(KvLimits.DEFAULT));
    assertThat(batchBytes).isLessThan(2L * (250_000 + poison.getSerializedSize() + 100 * ops.length));
  }

  @Test
  void beforeImagesOfOneEntryStopAtTheEntryBudgetAndEachEventSaysSo() {
    ApplyLimits budgets = new ApplyLimits(1 << 20, 250_000, 64L << 20);
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, budgets, new SessionPolicy(1_000, 8));
    Op[] deletes = new Op[40];
    for (int i = 0; i < deletes.length; i++) {
      apply(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("k" + i)).setValue(bytes(100_000, 'v'))).build());
      deletes[i] = delete("k" + i);
    }
    // Without budgets the events alone would carry 4 MB of before-images for a 400-byte write.
    long batchBytes = applyMeasuringBatch(Command.newBuilder().setOmitPrevious(true).addAllOps(List.of(deletes)).build());
    List<io.raftkv.api.ChangeEvent> events = new java.util.ArrayList<>();
    try (var it = engine.db().newIterator(engine.handle(io.raftkv.server.storage.ColumnFamily.FEED))) {
      for (it.seek(GROUP.feedEvent(index, 0)); it.isValid(); it.next()) {
        events.add(io.raftkv.api.ChangeEvent.parseFrom(it.value()));
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
    assertThat(events).hasSize(40);
    assertThat(events.get(0).getBeforeOmitted()).isFalse();
    assertThat(events.get(1).getBefore().getValue().size()).isEqualTo(100_000);
    assertThat(events.get(2).getBeforeOmitted()).isTrue();
    assertThat(events.get(2).getBefore().getValue()).isEmpty();
    assertThat(events.get(2).getBefore().getVersion()).isEqualTo(3);
    assertThat(events.get(39).getBeforeOmitted()).isTrue();
    assertThat(events).allSatisfy(e -> assertThat(e.getOp()).isEqualTo(io.raftkv.api.ChangeEvent.Op.DELETE));
    assertThat(batchBytes).isLessThan(250_000 + 10_000);
    assertThat(sm.get(b("k39"))).isNull();
  }

  @Test
  void aRoundIsFullOnceItsBatchReachesTheRoundBudget() {
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, new ApplyLimits(1 << 20, 1 << 20, 100_000),
        new SessionPolicy(1_000, 8));
    try (ApplyBatch batch = sm.newBatch()) {
      int entries = 0;
      while (!sm.roundFull(batch)) {
        sm.applyCommand(batch, ++index, 1, Command.newBuilder().addOps(Op.newBuilder().setPut(PutOp.newBuilder()
            .setKey(b("k" + entries)).setValue(bytes(10_000, 'v')))).build().toByteString());
        entries++;
        assertThat(entries).isLessThan(100); // 10 kB data + 10 kB event each: full after about five
      }
      assertThat(entries).isBetween(4, 6);
      assertThat(batch.writeBatch().getDataSize()).isGreaterThanOrEqualTo(100_000);
    }
  }

  @Test
  void anOperationThatFailsToApplyIsAnsweredWithAnErrorLeavesNoTraceAndItsRetryGetsTheSameAnswer() {
    apply(put("a", "1"));
    sm.beforeEachOp(op -> {
      if (op.hasPut() && op.getPut().getKey().equals(b("boom"))) {
        throw new IllegalStateException("injected failure on key boom");
      }
    });
    Command.Builder c = Command.newBuilder().setClientId(7).setSequence(1);
    Command poisoned = c.addOps(put("a", "2")).addOps(put("new", "x")).addOps(put("boom", "!")).build();
    long feedBefore = countFeedEvents();
    WriteOutcome first;
    WriteOutcome retryInRound;
    WriteOutcome next;
    // In one round with a healthy write before and after it, as the raft loop would apply them.
    try (ApplyBatch batch = sm.newBatch()) {
      sm.applyCommand(batch, ++index, 1, write(8, 1, 0, put("before", "1")).toByteString());
      first = sm.applyCommand(batch, ++index, 1, poisoned.toByteString());
      retryInRound = sm.applyCommand(batch, ++index, 1, poisoned.toByteString());
      next = sm.applyCommand(batch, ++index, 1, write(7, 2, 0, casVersion("a", 1, "3")).toByteString());
      sm.seal(batch);
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
    }
    assertThat(first.error().getCode()).isEqualTo(Error.Code.APPLY_REFUSED);
    assertThat(first.error().getMessage()).contains("injected failure on key boom").contains("index 3");
    assertThat(retryInRound.error()).isEqualTo(first.error());
    assertThat(sm.get(b("new"))).isNull(); // nothing of the refused write, in memory or on disk
    assertThat(sm.get(b("boom"))).isNull();
    assertThat(next.response().getApplied()).isTrue(); // "a" still at version 1: the refused put left no trace
    assertThat(sm.get(b("before")).getValue()).isEqualTo(b("1"));
    assertThat(countFeedEvents() - feedBefore).isEqualTo(2); // "before" and the compare-and-set only
    sm.reload();
    assertThat(sm.get(b("new"))).isNull();
    assertThat(sm.get(b("a")).getValue()).isEqualTo(b("3"));
    // A retry in a later round, after a restart of the state machine, gets the stored error, even though
    // the failure no longer happens: it is never applied.
    sm.beforeEachOp(op -> { });
    WriteOutcome laterRetry = apply(poisoned);
    assertThat(laterRetry.error()).isEqualTo(first.error());
    assertThat(sm.get(b("boom"))).isNull();
  }

  private long countFeedEvents() {
    long n = 0;
    try (var it = engine.db().newIterator(engine.handle(io.raftkv.server.storage.ColumnFamily.FEED))) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        n++;
      }
    }
    return n;
  }

  @Test
  void oversizedKeyIsRefusedWithTheLimitNamed() {
    String longKey = "k".repeat(KvLimits.DEFAULT.maxKeyBytes() + 1);
    WriteOutcome out = apply(put(longKey, "v"));
    assertThat(out.error().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(out.error().getMessage()).contains("at most " + KvLimits.DEFAULT.maxKeyBytes());
    assertThat(sm.applyState().getAppliedIndex()).isEqualTo(1);
  }

  @Test
  void malformedEntryAppliesAsNoOpWithError() {
    index++;
    try (ApplyBatch batch = sm.newBatch()) {
      WriteOutcome out = sm.applyCommand(batch, index, 1, b("\u00ff\u00ff garbage"));
      assertThat(out.error()).isNotNull();
      sm.seal(batch);
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
    }
    assertThat(sm.applyState().getAppliedIndex()).isEqualTo(1);
  }

  @Test
  void scanPagesThroughARangeInKeyOrder() {
    for (int i = 0; i < 25; i++) {
      apply(put(String.format("k%02d", i), "v" + i));
    }
    apply(put("other", "x"));
    ScanResponse first = sm.scan(b("k"), b("l"), 10, false);
    assertThat(first.getKvsList()).hasSize(10);
    assertThat(first.getMore()).isTrue();
    assertThat(first.getKvs(0).getKey()).isEqualTo(b("k00"));
    ScanResponse second = sm.scan(first.getNextStart(), b("l"), 10, false);
    assertThat(second.getKvs(0).getKey()).isEqualTo(b("k10"));
    ScanResponse last = sm.scan(b("k20"), b("l"), 10, true);
    assertThat(last.getKvsList()).hasSize(5);
    assertThat(last.getMore()).isFalse();
    assertThat(last.getKvs(0).getValue()).isEmpty();
  }
}
