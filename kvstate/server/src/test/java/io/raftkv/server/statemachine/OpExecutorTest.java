package io.raftkv.server.statemachine;

import static io.raftkv.server.testing.Ops.b;
import static io.raftkv.server.testing.Ops.put;
import static io.raftkv.server.testing.Ops.delete;
import static io.raftkv.server.testing.Ops.casValue;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Error;
import io.raftkv.api.Op;
import io.raftkv.api.OpResult;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/** The op executor over real RocksDB: atomic execution, value budgets, limits; it returns, never stages. */
class OpExecutorTest {
  private static final String TEN = "0123456789";
  private static final long INDEX = 100;
  private static final long TERM = 5;

  @TempDir
  Path dir;

  private StorageEngine engine;
  private KvReader reader;

  @BeforeEach
  void open() {
    engine = StorageEngine.open(dir, "c1", 1);
    reader = new KvReader(engine, new ValueCache(1 << 20));
  }

  @AfterEach
  void close() {
    engine.close();
  }

  /** Stores {@code key = value} as applied at {@code version}, straight into the data column family. */
  private void store(String key, String value, long version) {
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(engine.handle(ColumnFamily.DATA), key.getBytes(), StoredValue.newBuilder().setValue(b(value))
          .setVersion(version).setCreateVersion(version).build().toByteArray());
      engine.write(batch, false);
    } catch (org.rocksdb.RocksDBException e) {
      throw new AssertionError(e);
    }
  }

  private Execution execute(ApplyLimits applyLimits, KvLimits limits, Op... ops) {
    OpExecutor executor = new OpExecutor(limits, applyLimits, reader);
    try (ApplyBatch batch = new ApplyBatch(INDEX - 1, TERM)) {
      Execution execution = executor.execute(batch, INDEX, TERM,
          Command.newBuilder().setProposedAtMs(777).addAllOps(List.of(ops)).build());
      assertThat(batch.writeBatch().count()).as("the executor stages nothing").isZero();
      return execution;
    }
  }

  private Execution execute(Op... ops) {
    return execute(ApplyLimits.DEFAULT, KvLimits.DEFAULT, ops);
  }

  @Test
  void anAppliedCommandReturnsItsWritesAndItsEventsPositionedInTheEntry() {
    store("b", "old", 3);
    Execution execution = execute(put("a", "1"), delete("b"), delete("never"));

    WriteResponse answer = execution.outcome().response();
    assertThat(answer.getApplied()).isTrue();
    assertThat(answer.getResults(0).getVersion()).isEqualTo(INDEX);
    assertThat(answer.getResults(1).getPrevious().getValue()).isEqualTo(b("old"));
    assertThat(execution.writes()).isEqualTo(Map.of(
        b("a"), StoredValue.newBuilder().setValue(b("1")).setVersion(INDEX).setCreateVersion(INDEX).build(),
        b("b"), ApplyBatch.ABSENT, b("never"), ApplyBatch.ABSENT));
    assertThat(execution.events()).extracting(ChangeEvent::getOp)
        .containsExactly(ChangeEvent.Op.CREATE, ChangeEvent.Op.DELETE); // deleting an absent key changes nothing
    assertThat(execution.events()).extracting(ChangeEvent::getSubSequence).containsExactly(0, 1);
    assertThat(execution.events()).allSatisfy(e -> {
      assertThat(e.getIndex()).isEqualTo(INDEX);
      assertThat(e.getTerm()).isEqualTo(TERM);
      assertThat(e.getProposedAtMs()).isEqualTo(777);
    });
  }

  @Test
  void aCompareAndSetThatDoesNotMatchLeavesTheWholeCommandWithoutWritesOrEvents() {
    store("k", "v", 3);
    Execution execution = execute(put("a", "1"), casValue("k", "other", "w"));

    assertThat(execution.outcome().response().getApplied()).isFalse();
    assertThat(execution.outcome().response().getResultsList()).extracting(OpResult::getVersion).containsOnly(0L);
    assertThat(execution.outcome().response().getResults(1).getMatched()).isFalse();
    assertThat(execution.writes()).isEmpty();
    assertThat(execution.events()).isEmpty();
  }

  @Test
  void previousValuesStopAtTheAnswerBudgetInOperationOrderAndTheAnswerSaysSo() {
    store("a", TEN, 1);
    store("b", TEN, 2);
    store("c", "1", 3); // would still fit, but the cut falls at the first value that does not
    Execution execution = execute(new ApplyLimits(15, 1 << 20, 1 << 20), KvLimits.DEFAULT,
        put("a", "x"), put("b", "x"), put("c", "x"));

    WriteResponse answer = execution.outcome().response();
    assertThat(answer.getPreviousTruncated()).isTrue();
    assertThat(answer.getResults(0).getPrevious().getValue()).isEqualTo(b(TEN));
    assertThat(answer.getResults(0).getPreviousOmitted()).isFalse();
    for (int i = 1; i <= 2; i++) {
      OpResult r = answer.getResults(i);
      assertThat(r.getPreviousOmitted()).isTrue();
      assertThat(r.getPrevious().getValue()).isEmpty();
      assertThat(r.getPrevious().getVersion()).isEqualTo(i + 1);
    }
    assertThat(execution.events()).allSatisfy(e -> assertThat(e.getBeforeOmitted()).isFalse());
  }

  @Test
  void beforeImagesStopAtTheEntryBudgetAndEachEventSaysSo() {
    store("a", TEN, 1);
    store("b", TEN, 2);
    Execution execution = execute(new ApplyLimits(1 << 20, 15, 1 << 20), KvLimits.DEFAULT,
        delete("a"), delete("b"));

    List<ChangeEvent> events = execution.events();
    assertThat(events.get(0).getBefore().getValue()).isEqualTo(b(TEN));
    assertThat(events.get(0).getBeforeOmitted()).isFalse();
    assertThat(events.get(1).getBeforeOmitted()).isTrue();
    assertThat(events.get(1).getBefore().getValue()).isEmpty();
    assertThat(events.get(1).getBefore().getVersion()).isEqualTo(2);
    assertThat(execution.outcome().response().getPreviousTruncated()).isFalse(); // the answer's own budget
  }

  @Test
  void aCommandOutsideTheLimitsIsAnsweredWithTheLimitNamedAndChangesNothing() {
    KvLimits twoOps = new KvLimits(16, 64, 2, 1024);
    Execution tooMany = execute(ApplyLimits.DEFAULT, twoOps, put("a", "1"), put("b", "2"), put("c", "3"));
    assertThat(tooMany.outcome().error().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(tooMany.outcome().error().getMessage()).isEqualTo("a write has 3 operations; 1 to 2 are allowed");
    assertThat(tooMany.writes()).isEmpty();

    Execution none = execute(ApplyLimits.DEFAULT, twoOps);
    assertThat(none.outcome().error().getMessage()).isEqualTo("a write has 0 operations; 1 to 2 are allowed");

    Execution longKey = execute(ApplyLimits.DEFAULT, twoOps, put("a", "1"), put("k".repeat(17), "2"));
    assertThat(longKey.outcome().error().getMessage()).startsWith("operation 1: ").contains("17", "16");
    assertThat(longKey.events()).isEmpty();
  }
}
