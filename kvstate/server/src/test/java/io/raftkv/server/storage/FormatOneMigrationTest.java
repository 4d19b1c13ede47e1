package io.raftkv.server.storage;

import static io.raftkv.server.testing.Ops.b;
import static io.raftkv.server.testing.Ops.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.FeedPosition;
import io.raftkv.api.ChangeEvent;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.feed.FeedRetention;
import io.raftkv.server.statemachine.ApplyBatch;
import io.raftkv.server.statemachine.KvLimits;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.statemachine.SessionPolicy;
import io.raftkv.server.statemachine.WriteOutcome;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.storage.pb.MemberList;
import io.raftkv.server.storage.pb.SnapshotInstall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

/** Opening a format-1 data directory moves its state into group 1's keys, all of it, even across crashes. */
class FormatOneMigrationTest {
  private static final GroupKeys GROUP = GroupKeys.firstGroup();

  @TempDir
  Path dir;

  private void writeFormatOne(long last) throws Exception {
    try (FormatOneDirectory old = new FormatOneDirectory(dir)) {
      old.write(last, 1);
    }
  }

  /** Every value the format-1 directory held, read back through the group's storage, state machine and feed. */
  private static void assertFormatOneStateReadsBack(StorageEngine engine, long last) throws Exception {
    PeerStorage raft = new PeerStorage(engine, GROUP, 1 << 20);
    assertThat(raft.firstIndex()).isEqualTo(FormatOneDirectory.TRUNCATED_INDEX + 1);
    assertThat(raft.lastIndex()).isEqualTo(last);
    assertThat(raft.term(FormatOneDirectory.TRUNCATED_INDEX)).isEqualTo(1);
    assertThat(raft.entries(FormatOneDirectory.TRUNCATED_INDEX + 1, last + 1, Long.MAX_VALUE))
        .isEqualTo(LongStream.rangeClosed(FormatOneDirectory.TRUNCATED_INDEX + 1, last)
            .mapToObj(FormatOneDirectory::entry).toList());
    assertThat(raft.hardState().getCommit()).isEqualTo(last);
    assertThat(raft.hardState().getVote()).isEqualTo(1);
    assertThat(raft.confState()).isEqualTo(FormatOneDirectory.CONF);
    assertThat(MemberList.parseFrom(engine.get(ColumnFamily.RAFT_META, GROUP.members())).getMembersList())
        .containsExactly(FormatOneDirectory.MEMBER);

    ChangeFeed feed = new ChangeFeed(engine, GROUP, FeedRetention.DEFAULT);
    assertThat(feed.truncatedIndex()).isEqualTo(FormatOneDirectory.TRUNCATED_INDEX);
    List<ChangeEvent> events = new ArrayList<>();
    FeedPosition at = FeedPosition.oldest();
    while (true) {
      var page = feed.read(at, b(""), 1000, 64 << 20);
      events.addAll(page.events());
      at = page.next();
      if (page.caughtUp()) {
        break;
      }
    }
    assertThat(events).isEqualTo(LongStream.rangeClosed(FormatOneDirectory.TRUNCATED_INDEX + 1, last)
        .mapToObj(FormatOneDirectory::event).toList());

    KvStateMachine sm = new KvStateMachine(engine, GROUP, KvLimits.DEFAULT, SessionPolicy.DEFAULT);
    assertThat(sm.applyState().getAppliedIndex()).isEqualTo(last);
    assertThat(sm.sessionCount()).isEqualTo(1);
    assertThat(sm.get(b("k")).getValue()).isEqualTo(b("v1"));
    // A retry of client 7's request 2 gets the stored answer rather than being applied again.
    try (ApplyBatch batch = sm.newBatch()) {
      WriteOutcome retry = sm.applyCommand(batch, last + 1, FormatOneDirectory.TERM, Command.newBuilder()
          .setClientId(7).setSequence(2).addOps(put("k", "v2")).build().toByteString());
      assertThat(retry.response()).isEqualTo(FormatOneDirectory.ANSWER_TO_REQUEST_2);
    }
  }

  /** Every key of the per-group families is group 1's (the identity aside): nothing in a format-1 shape is left. */
  private static void assertOnlyGroupKeysLeft(StorageEngine engine) {
    for (ColumnFamily cf : List.of(ColumnFamily.RAFT_LOG, ColumnFamily.RAFT_META, ColumnFamily.SESSIONS,
        ColumnFamily.FEED)) {
      try (RocksIterator it = engine.db().newIterator(engine.handle(cf))) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          if (cf == ColumnFamily.RAFT_META && java.util.Arrays.equals(it.key(), Keys.IDENT)) {
            continue;
          }
          assertThat(GROUP.owns(it.key())).as("key %s of %s", java.util.Arrays.toString(it.key()), cf).isTrue();
        }
      }
    }
  }

  @Test
  void aFormatOneDirectoryIsMigratedOnOpenAndEveryValueReadsBackThroughTheGroupsKeys() throws Exception {
    writeFormatOne(20);
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      assertThat(engine.ident().getFormatVersion()).isEqualTo(2);
      assertFormatOneStateReadsBack(engine, 20);
      assertOnlyGroupKeysLeft(engine);
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      assertThat(engine.ident().getFormatVersion()).isEqualTo(2);
      assertFormatOneStateReadsBack(engine, 20);
    }
  }

  @Test
  void aMigrationInterruptedAfterSomeChunksIsFinishedByTheNextOpen() throws Exception {
    long last = FormatOneDirectory.TRUNCATED_INDEX + 3L * FormatOneMigration.CHUNK_KEYS;
    try (FormatOneDirectory old = new FormatOneDirectory(dir)) {
      old.write(last, 1);
      FormatOneMigration.Progress progress = new FormatOneMigration(old.db, old::handle, dir).run(2);
      assertThat(progress.done()).isFalse();
      assertThat(progress.movedKeys()).isEqualTo(2L * FormatOneMigration.CHUNK_KEYS);
      assertThat(old.identFormat()).as("format 2 is recorded only after the last chunk").isEqualTo(1);
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      assertThat(engine.ident().getFormatVersion()).isEqualTo(2);
      assertFormatOneStateReadsBack(engine, last);
      assertOnlyGroupKeysLeft(engine);
    }
  }

  @Test
  void aMigrationThatMovedEveryKeyButDidNotRecordFormatTwoIsRecordedByTheNextOpen() throws Exception {
    try (FormatOneDirectory old = new FormatOneDirectory(dir)) {
      old.write(20, 1);
      assertThat(new FormatOneMigration(old.db, old::handle, dir).run(Integer.MAX_VALUE).done()).isTrue();
      assertThat(old.identFormat()).isEqualTo(1);
      assertThat(new FormatOneMigration(old.db, old::handle, dir).run(Integer.MAX_VALUE).movedKeys())
          .as("a second run finds nothing left to move").isZero();
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      assertThat(engine.ident().getFormatVersion()).isEqualTo(2);
      assertFormatOneStateReadsBack(engine, 20);
    }
  }

  @Test
  void theStagedFilesOfAnInterruptedFormatOneInstallMoveWithItsMarkerIntoGroupOnesStagingDirectory()
      throws Exception {
    try (FormatOneDirectory old = new FormatOneDirectory(dir)) {
      old.write(20, 1);
      old.db.put(old.handle(ColumnFamily.RAFT_META), FormatOneDirectory.ascii("snapshot_install"),
          SnapshotInstall.newBuilder().setStagedDir("30-2-99").putFiles("data", "data.sst").build().toByteArray());
    }
    Files.createDirectories(dir.resolve("snapshots").resolve("30-2-99"));
    Files.writeString(dir.resolve("snapshots").resolve("30-2-99").resolve("data.sst"), "staged");
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      Path staging = SnapshotStore.stagingDirectory(dir, GroupKeys.FIRST_GROUP_ID);
      assertThat(Files.readString(staging.resolve("30-2-99").resolve("data.sst"))).isEqualTo("staged");
      assertThat(dir.resolve("snapshots").resolve("30-2-99")).doesNotExist();
      assertThat(SnapshotInstall.parseFrom(engine.get(ColumnFamily.RAFT_META, GROUP.snapshotInstall()))
          .getStagedDir()).isEqualTo("30-2-99");
    }
  }

  @Test
  void anotherNodesFormatOneDirectoryIsRefusedWithNothingMoved() throws Exception {
    writeFormatOne(20);
    assertThatThrownBy(() -> StorageEngine.open(dir, "c", 2)).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("belongs to node 1, not node 2");
    try (FormatOneDirectory old = new FormatOneDirectory(dir)) {
      assertThat(old.identFormat()).isEqualTo(1);
      assertThat(old.db.get(old.handle(ColumnFamily.RAFT_LOG), Keys.u64(20))).isNotNull();
    }
  }

  @Test
  void aDataDirectoryOfAFormatNewerThanTwoIsRefused() throws Exception {
    try (FormatOneDirectory newer = new FormatOneDirectory(dir)) {
      newer.write(20, 3);
    }
    assertThatThrownBy(() -> StorageEngine.open(dir, "c", 1)).isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("has on-disk format 3; this version reads format 2 (and migrates format 1)");
  }
}
