package io.raftkv.server.feed;

import static io.raftkv.server.testing.Ops.b;
import static io.raftkv.server.testing.Ops.put;
import static io.raftkv.server.testing.Ops.delete;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.CasOp;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.Op;
import io.raftkv.api.WatchRequest;
import io.raftkv.server.statemachine.ApplyBatch;
import io.raftkv.server.statemachine.KvLimits;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.statemachine.SessionPolicy;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The change feed over real RocksDB: what applying records, reading it in order, retention, wake-ups. */
class ChangeFeedTest {
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
    sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, SessionPolicy.DEFAULT);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private void apply(long proposedAtMs, Op... ops) {
    index++;
    Command cmd = Command.newBuilder().setProposedAtMs(proposedAtMs).addAllOps(List.of(ops)).build();
    try (ApplyBatch batch = sm.newBatch()) {
      sm.applyCommand(batch, index, 3, cmd.toByteString());
      sm.seal(batch);
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
    }
  }

  /** The position of a watch asking for changes from ({@code index}, {@code sub}) on. */
  private static FeedPosition from(long index, int sub) {
    return FeedPosition.fromRequest(WatchRequest.newBuilder().setFromIndex(index).setFromSubSequence(sub).build());
  }

  private static List<ChangeEvent> all(ChangeFeed feed, long from, String prefix) {
    List<ChangeEvent> out = new ArrayList<>();
    FeedPosition at = from(from, 0);
    while (true) {
      FeedPage page = feed.read(at, b(prefix), 2, 1 << 20);
      out.addAll(page.events());
      at = page.next();
      if (page.caughtUp()) {
        return out;
      }
    }
  }

  @Test
  void everyAppliedChangeIsRecordedWithItsBeforeAndAfterInOrder() {
    ChangeFeed feed = new ChangeFeed(engine, GROUP, FeedRetention.DEFAULT);
    apply(1000, put("a", "1"));
    apply(1001, put("a", "2"), put("b", "x"));
    apply(1002, delete("a"), delete("never-there"));
    apply(1003, Op.newBuilder().setCas(CasOp.newBuilder().setKey(b("b")).setExpectedValue(b("wrong"))
        .setNewValue(b("y"))).build());

    List<ChangeEvent> events = all(feed, 0, "");
    assertThat(events).extracting(ChangeEvent::getIndex, ChangeEvent::getSubSequence, ChangeEvent::getOp)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, 0, ChangeEvent.Op.CREATE),
            org.assertj.core.groups.Tuple.tuple(2L, 0, ChangeEvent.Op.UPDATE),
            org.assertj.core.groups.Tuple.tuple(2L, 1, ChangeEvent.Op.CREATE),
            org.assertj.core.groups.Tuple.tuple(3L, 0, ChangeEvent.Op.DELETE));
    ChangeEvent update = events.get(1);
    assertThat(update.getBefore().getValue()).isEqualTo(b("1"));
    assertThat(update.getBefore().getVersion()).isEqualTo(1);
    assertThat(update.getAfter().getValue()).isEqualTo(b("2"));
    assertThat(update.getAfter().getVersion()).isEqualTo(2);
    assertThat(update.getAfter().getCreateVersion()).isEqualTo(1);
    assertThat(update.getTerm()).isEqualTo(3);
    assertThat(update.getProposedAtMs()).isEqualTo(1001);
    ChangeEvent deleted = events.get(3);
    assertThat(deleted.hasAfter()).isFalse();
    assertThat(deleted.getBefore().getValue()).isEqualTo(b("2"));
    assertThat(events.get(0).hasBefore()).isFalse();
  }

  @Test
  void readingResumesMidEntryAndFiltersByPrefix() {
    ChangeFeed feed = new ChangeFeed(engine, GROUP, FeedRetention.DEFAULT);
    apply(1000, put("t1/a", "1"), put("t2/a", "1"), put("t1/b", "1"));
    apply(1000, put("t2/b", "2"));
    FeedPage fromMiddle = feed.read(from(1, 1), ByteString.EMPTY, 100, 1 << 20);
    assertThat(fromMiddle.events()).extracting(e -> e.getKey().toStringUtf8()).containsExactly("t2/a", "t1/b", "t2/b");
    assertThat(all(feed, 0, "t2/")).extracting(e -> e.getKey().toStringUtf8()).containsExactly("t2/a", "t2/b");
    assertThat(fromMiddle.appliedIndex()).isEqualTo(2);
  }

  @Test
  void eventsPastTheEntryRetentionAreDeletedAndAskingForThemIsCompacted() {
    ChangeFeed feed = new ChangeFeed(engine, GROUP, new FeedRetention(3, Duration.ZERO));
    for (int i = 0; i < 10; i++) {
      apply(1000, put("k" + i, "v"));
    }
    assertThat(feed.collectGarbage(5000, index)).isEqualTo(7);
    assertThat(all(feed, 0, "")).extracting(ChangeEvent::getIndex).containsExactly(8L, 9L, 10L);
    assertThatThrownBy(() -> feed.read(from(7, 0), ByteString.EMPTY, 10, 1 << 20))
        .isInstanceOfSatisfying(FeedCompactedException.class, e -> assertThat(e.oldestIndex()).isEqualTo(8))
        .hasMessageContaining("oldest index is 8");
    assertThat(feed.read(from(8, 0), ByteString.EMPTY, 10, 1 << 20).events()).hasSize(3);
  }

  @Test
  void eventsOlderThanTheAgeRetentionAreDeletedWholeEntriesAtATime() {
    ChangeFeed feed = new ChangeFeed(engine, GROUP, new FeedRetention(0, Duration.ofSeconds(10)));
    apply(1_000, put("a", "1"), put("b", "1"));
    apply(2_000, put("c", "1"));
    apply(30_000, put("d", "1"));
    assertThat(feed.collectGarbage(25_000, index)).isEqualTo(2);
    assertThat(all(feed, 0, "")).extracting(e -> e.getKey().toStringUtf8()).containsExactly("d");
    assertThat(feed.truncatedIndex()).isEqualTo(2);
  }

  @Test
  void waitingWatcherWakesWhenTheNextEntryApplies() throws Exception {
    ChangeFeed feed = new ChangeFeed(engine, GROUP, FeedRetention.DEFAULT);
    apply(1000, put("a", "1"));
    feed.published(index);
    CountDownLatch woken = new CountDownLatch(1);
    feed.runWhenAppliedAfter(index, woken::countDown);
    assertThat(woken.await(50, TimeUnit.MILLISECONDS)).isFalse();
    apply(1000, put("a", "2"));
    feed.published(index);
    assertThat(woken.await(1, TimeUnit.SECONDS)).isTrue();
    CountDownLatch late = new CountDownLatch(1);
    feed.runWhenAppliedAfter(index - 1, late::countDown); // already past: runs at once
    assertThat(late.getCount()).isZero();
  }

  @Test
  void initialSnapshotHoldsEveryKeyAtOneIndexWhileWritesGoOn() {
    ChangeFeed feed = new ChangeFeed(engine, GROUP, FeedRetention.DEFAULT);
    apply(1000, put("p/a", "1"), put("p/b", "1"), put("q/c", "1"));
    try (FeedSnapshot snapshot = feed.openSnapshot(b("p/"))) {
      apply(1000, put("p/a", "2"), put("p/z", "new"));
      List<ChangeEvent> rows = new ArrayList<>();
      for (List<ChangeEvent> page = snapshot.next(1, 1 << 20); !page.isEmpty(); page = snapshot.next(1, 1 << 20)) {
        rows.addAll(page);
      }
      assertThat(snapshot.index()).isEqualTo(1);
      assertThat(rows).extracting(e -> e.getKey().toStringUtf8() + "=" + e.getAfter().getValue().toStringUtf8())
          .containsExactly("p/a=1", "p/b=1");
      assertThat(rows).allMatch(e -> e.getOp() == ChangeEvent.Op.READ && e.getIndex() == 1);
    }
    // The changes after the snapshot's index are exactly what its rows miss.
    assertThat(all(feed, 2, "p/")).extracting(e -> e.getKey().toStringUtf8()).containsExactly("p/a", "p/z");
  }

  @Test
  void closingTheFeedEndsReadsAndWakesWatchers() throws Exception {
    ChangeFeed feed = new ChangeFeed(engine, GROUP, FeedRetention.DEFAULT);
    FeedSnapshot open = feed.openSnapshot(ByteString.EMPTY);
    CountDownLatch woken = new CountDownLatch(1);
    feed.runWhenAppliedAfter(100, woken::countDown);
    feed.close();
    assertThat(woken.await(1, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> feed.read(from(0, 0), ByteString.EMPTY, 1, 1)).isInstanceOf(FeedClosedException.class);
    assertThatThrownBy(() -> open.next(1, 1)).isInstanceOf(FeedClosedException.class);
  }
}
