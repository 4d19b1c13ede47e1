package io.raftkv.cli.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.BackupBatch;
import io.raftkv.api.BackupChunk;
import io.raftkv.api.BackupFormat;
import io.raftkv.api.BackupHeader;
import io.raftkv.api.BackupTrailer;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Member;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.feed.FeedRetention;
import io.raftkv.server.statemachine.ApplyBatch;
import io.raftkv.server.statemachine.KvLimits;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.statemachine.SessionPolicy;
import io.raftkv.server.statemachine.WriteOutcome;
import io.raftkv.server.statemachine.pb.CachedResponse;
import io.raftkv.server.statemachine.pb.ClientSession;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.pb.FeedState;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup as a build of on-disk format 1 wrote it (store_format_version 1, sessions and feed keys in
 * their format-1 shapes, no group id) restores into a format-2 data directory, into group 1's keys.
 */
class FormatOneBackupRestoreTest {
  private static final WriteResponse ANSWER = WriteResponse.newBuilder().setIndex(15).setApplied(true).build();

  @TempDir
  Path dir;

  private static byte[] u64Key(char tag, long... numbers) {
    java.nio.ByteBuffer key = java.nio.ByteBuffer.allocate(1 + 8 * numbers.length).put((byte) tag);
    for (long n : numbers) {
      key.putLong(n);
    }
    return key.array();
  }

  private static BackupBatch batch(String family, byte[] key, byte[] value) {
    return BackupBatch.newBuilder().setColumnFamily(family).addKeys(ByteString.copyFrom(key))
        .addValues(ByteString.copyFrom(value)).build();
  }

  /** The backup file of a one-node format-1 cluster at index 20: key "k", client 7's session, one feed event. */
  private Path formatOneBackup() {
    byte[] eventKey = java.nio.ByteBuffer.allocate(13).put((byte) 'e').putLong(20).putInt(0).array();
    List<BackupBatch> batches = List.of(
        batch("data", "k".getBytes(), StoredValue.newBuilder().setValue(ByteString.copyFromUtf8("v1")).setVersion(1)
            .setCreateVersion(1).build().toByteArray()),
        BackupBatch.newBuilder().setColumnFamily("sessions")
            .addKeys(ByteString.copyFrom(u64Key('h', 7))).addValues(ClientSession.newBuilder().setClientId(7)
                .setHighestSequence(2).build().toByteString())
            .addKeys(ByteString.copyFrom(u64Key('r', 7, 2))).addValues(CachedResponse.newBuilder().setSequence(2)
                .setResponse(ANSWER).build().toByteString()).build(),
        BackupBatch.newBuilder().setColumnFamily("feed")
            .addKeys(ByteString.copyFrom(eventKey)).addValues(ChangeEvent.newBuilder().setIndex(20)
                .setKey(ByteString.copyFromUtf8("k")).build().toByteString())
            .addKeys(ByteString.copyFrom(new byte[] {'m'})).addValues(FeedState.newBuilder().setTruncatedIndex(19)
                .build().toByteString()).build());
    Path file = dir.resolve("format-one.rkvb");
    MessageDigest digest = BackupFormat.newDigest();
    try (BackupFileWriter writer = BackupFileWriter.create(file, false)) {
      BackupChunk header = BackupChunk.newBuilder().setHeader(BackupHeader.newBuilder().setFormatVersion(1)
          .setClusterId("old").setAppliedIndex(20).setAppliedTerm(2).setStoreFormatVersion(1).setSourceNodeId(1)
          .addMembers(Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:1"))).build();
      writer.write(header);
      digest.update(header.toByteArray());
      long entries = 0;
      for (BackupBatch b : batches) {
        BackupChunk chunk = BackupChunk.newBuilder().setBatch(b).build();
        writer.write(chunk);
        digest.update(chunk.toByteArray());
        entries += b.getKeysCount();
      }
      writer.write(BackupChunk.newBuilder().setTrailer(BackupTrailer.newBuilder().setBatches(batches.size())
          .setEntries(entries).setDataKeys(1).setSha256(ByteString.copyFrom(digest.digest()))).build());
      writer.commit();
    }
    return file;
  }

  @Test
  void aBackupOfAFormatOneBuildRestoresIntoGroupOneOfAFormatTwoDirectory() {
    Path data = dir.resolve("data");
    Restore.run(formatOneBackup(), data, 1, List.of(Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:1")
        .build()), null);
    GroupKeys group = GroupKeys.firstGroup();
    try (StorageEngine engine = StorageEngine.open(data, "old", 1)) {
      assertThat(engine.ident().getFormatVersion()).isEqualTo(StorageEngine.FORMAT_VERSION);
      ChangeFeed feed = new ChangeFeed(engine, group, FeedRetention.DEFAULT);
      assertThat(feed.truncatedIndex()).isEqualTo(19);
      assertThat(feed.read(FeedPosition.oldest(), ByteString.EMPTY, 10, 1 << 20).events()).extracting(ChangeEvent::getIndex)
          .containsExactly(20L);
      KvStateMachine sm = new KvStateMachine(engine, group, KvLimits.DEFAULT, SessionPolicy.DEFAULT);
      assertThat(sm.applyState().getAppliedIndex()).isEqualTo(20);
      assertThat(sm.get(ByteString.copyFromUtf8("k")).getValue().toStringUtf8()).isEqualTo("v1");
      assertThat(sm.sessionCount()).isEqualTo(1);
      try (ApplyBatch batch = sm.newBatch()) {
        WriteOutcome retry = sm.applyCommand(batch, 21, 2, Command.newBuilder().setClientId(7).setSequence(2)
            .addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(ByteString.copyFromUtf8("k"))
                .setValue(ByteString.copyFromUtf8("v2")))).build().toByteString());
        assertThat(retry.response()).as("client 7's retry is answered from its restored session").isEqualTo(ANSWER);
      }
    }
  }
}
