package io.raftkv.server.feed;

import static io.raftkv.server.testing.Ops.b;
import static io.raftkv.server.testing.Ops.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.server.storage.GroupKeys;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.Op;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One watch's messages over a real feed: snapshot rows, the snapshot's end, stored events, and positions. */
class WatchCursorTest {
  @TempDir
  Path dir;

  private StorageEngine engine;
  private KvStateMachine sm;
  private long index;

  @BeforeEach
  void open() {
    engine = StorageEngine.open(dir, "c1", 1);
    sm = new KvStateMachine(engine, GroupKeys.firstGroup(), KvLimits.DEFAULT, SessionPolicy.DEFAULT);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private void apply(Op... ops) {
    index++;
    Command cmd = Command.newBuilder().setProposedAtMs(1000).addAllOps(List.of(ops)).build();
    try (ApplyBatch batch = sm.newBatch()) {
      sm.applyCommand(batch, index, 3, cmd.toByteString());
      sm.seal(batch);
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
    }
  }

  private static List<String> keys(WatchResponse response) {
    return response.getEventsList().stream().map(e -> e.getKey().toStringUtf8()).toList();
  }

  @Test
  void aWatchFromTheOldestSendsTheStoredEventsAndIsCaughtUpAtTheAppliedIndex() {
    ChangeFeed feed = new ChangeFeed(engine, GroupKeys.firstGroup(), FeedRetention.DEFAULT);
    apply(put("a", "1"));
    apply(put("b", "1"), put("c", "1"));
    try (WatchCursor cursor = WatchCursor.open(feed, WatchRequest.getDefaultInstance())) {
      WatchCursor.Step step = cursor.next();
      assertThat(step.caughtUp()).isTrue();
      assertThat(step.appliedIndex()).isEqualTo(2);
      assertThat(keys(step.message().orElseThrow())).containsExactly("a", "b", "c");
      assertThat(step.message().orElseThrow().getAppliedIndex()).isEqualTo(2);
      assertThat(cursor.position()).isEqualTo(FeedPosition.after(2, 1));
      WatchCursor.Step idle = cursor.next();
      assertThat(idle.message()).isEmpty();
      assertThat(idle.caughtUp()).isTrue();
    }
  }

  @Test
  void anInitialSnapshotSendsItsRowsThenItsEndThenTheChangesAfterIt() {
    ChangeFeed feed = new ChangeFeed(engine, GroupKeys.firstGroup(), FeedRetention.DEFAULT);
    apply(put("a", "1"), put("b", "1"));
    try (WatchCursor cursor = WatchCursor.open(feed, WatchRequest.newBuilder().setInitialSnapshot(true).build())) {
      apply(put("c", "1"));
      WatchResponse rows = cursor.next().message().orElseThrow();
      assertThat(keys(rows)).containsExactly("a", "b");
      assertThat(rows.getEventsList()).allMatch(e -> e.getOp() == ChangeEvent.Op.READ && e.getIndex() == 1);
      assertThat(rows.getAppliedIndex()).isZero();
      assertThat(cursor.position().inSnapshot()).isTrue();

      WatchCursor.Step end = cursor.next();
      assertThat(end.caughtUp()).isFalse();
      assertThat(end.message().orElseThrow().getSnapshotDone()).isTrue();
      assertThat(end.message().orElseThrow().getSnapshotIndex()).isEqualTo(1);
      assertThat(cursor.position()).isEqualTo(FeedPosition.afterEntry(1));

      WatchCursor.Step changes = cursor.next();
      assertThat(keys(changes.message().orElseThrow())).containsExactly("c");
      assertThat(changes.caughtUp()).isTrue();
    }
  }

  @Test
  void aPartialPageCoversOnlyTheEntriesBeforeTheOneItStoppedIn() {
    ChangeFeed feed = new ChangeFeed(engine, GroupKeys.firstGroup(), FeedRetention.DEFAULT);
    for (int entry = 0; entry < 2; entry++) {
      List<Op> ops = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        ops.add(put("k" + entry + "-" + i, "v"));
      }
      apply(ops.toArray(Op[]::new));
    }
    try (WatchCursor cursor = WatchCursor.open(feed, WatchRequest.newBuilder().setFromIndex(1).build())) {
      WatchCursor.Step first = cursor.next();
      assertThat(first.caughtUp()).isFalse();
      assertThat(first.message().orElseThrow().getEventsCount()).isEqualTo(WatchCursor.MAX_EVENTS_PER_MESSAGE);
      assertThat(first.message().orElseThrow().getAppliedIndex()).isEqualTo(1);
      WatchCursor.Step rest = cursor.next();
      assertThat(rest.message().orElseThrow().getEventsCount()).isEqualTo(600 - WatchCursor.MAX_EVENTS_PER_MESSAGE);
      assertThat(rest.message().orElseThrow().getAppliedIndex()).isEqualTo(2);
    }
  }

  @Test
  void aWatchFromAPositionNoLongerHeldFailsWithTheOldestIndex() {
    ChangeFeed feed = new ChangeFeed(engine, GroupKeys.firstGroup(), new FeedRetention(1, Duration.ZERO));
    apply(put("a", "1"));
    apply(put("a", "2"));
    apply(put("a", "3"));
    feed.collectGarbage(0, index);
    try (WatchCursor cursor = WatchCursor.open(feed, WatchRequest.newBuilder().setFromIndex(1).build())) {
      assertThatThrownBy(cursor::next).isInstanceOfSatisfying(FeedCompactedException.class,
          e -> assertThat(e.oldestIndex()).isEqualTo(3));
    }
  }

  @Test
  void aKeyPrefixKeepsOnlyItsKeysButThePositionPassesTheOthers() {
    ChangeFeed feed = new ChangeFeed(engine, GroupKeys.firstGroup(), FeedRetention.DEFAULT);
    apply(put("t1/a", "1"), put("t2/a", "1"));
    try (WatchCursor cursor = WatchCursor.open(feed, WatchRequest.newBuilder().setKeyPrefix(b("t1/")).build())) {
      assertThat(keys(cursor.next().message().orElseThrow())).containsExactly("t1/a");
      assertThat(cursor.position()).isEqualTo(FeedPosition.after(1, 1));
    }
  }
}
