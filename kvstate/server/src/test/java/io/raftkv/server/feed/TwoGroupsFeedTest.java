package io.raftkv.server.feed;

import static io.raftkv.server.testing.Ops.b;
import static io.raftkv.server.testing.Ops.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.FeedPosition;
import io.raftkv.api.ChangeEvent;
import io.raftkv.server.statemachine.ApplyBatch;
import io.raftkv.server.statemachine.KvLimits;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.statemachine.SessionPolicy;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two groups' state machines and change feeds in one engine: each feed holds, reads and compacts its own events. */
class TwoGroupsFeedTest {
  @TempDir
  Path dir;

  private static void apply(StorageEngine engine, KvStateMachine sm, long index, long clientId, String key) {
    Command cmd = Command.newBuilder().setClientId(clientId).setSequence(index).setProposedAtMs(1000)
        .addOps(put(key, "v" + index)).build();
    try (ApplyBatch batch = sm.newBatch()) {
      sm.applyCommand(batch, index, 1, cmd.toByteString());
      sm.seal(batch);
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
    }
  }

  @Test
  void eachGroupsFeedReadsOnlyItsEventsAndCompactingOneLeavesTheOthers() {
    GroupKeys one = new GroupKeys(1);
    GroupKeys two = new GroupKeys(2);
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      KvStateMachine smOne = new KvStateMachine(engine, one, KvLimits.DEFAULT, SessionPolicy.DEFAULT);
      KvStateMachine smTwo = new KvStateMachine(engine, two, KvLimits.DEFAULT, SessionPolicy.DEFAULT);
      for (long i = 1; i <= 10; i++) {
        apply(engine, smOne, i, 7, "a" + i);
      }
      for (long i = 1; i <= 4; i++) {
        apply(engine, smTwo, i, 8, "b" + i);
      }
      ChangeFeed feedOne = new ChangeFeed(engine, one, new FeedRetention(3, Duration.ZERO));
      ChangeFeed feedTwo = new ChangeFeed(engine, two, new FeedRetention(3, Duration.ZERO));
      FeedPage pageTwo = feedTwo.read(FeedPosition.oldest(), b(""), 100, 1 << 20);
      assertThat(pageTwo.events()).extracting(e -> e.getKey().toStringUtf8()).containsExactly("b1", "b2", "b3", "b4");
      assertThat(pageTwo.appliedIndex()).isEqualTo(4);
      assertThat(feedOne.read(FeedPosition.oldest(), b(""), 100, 1 << 20).appliedIndex()).isEqualTo(10);

      assertThat(feedOne.collectGarbage(5000, 10)).isEqualTo(7);
      assertThat(feedOne.read(FeedPosition.oldest(), b(""), 100, 1 << 20).events()).extracting(ChangeEvent::getIndex)
          .containsExactly(8L, 9L, 10L);
      assertThat(feedTwo.truncatedIndex()).isZero();
      assertThat(feedTwo.read(FeedPosition.oldest(), b(""), 100, 1 << 20).events()).hasSize(4);
      // Sessions are the group's too: client 7 wrote to group 1 only.
      assertThat(smOne.sessionCount()).isEqualTo(1);
      assertThat(smTwo.sessionCount()).isEqualTo(1);
      smTwo.reload();
      assertThat(smTwo.sessionCount()).isEqualTo(1);
    }
  }
}
