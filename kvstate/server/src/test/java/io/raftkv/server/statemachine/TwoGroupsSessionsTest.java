package io.raftkv.server.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.WriteResponse;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two groups' client sessions in one engine: a client's session in one group is unknown to the other. */
class TwoGroupsSessionsTest {
  private static final SessionPolicy POLICY = new SessionPolicy(10, 4);

  @TempDir
  Path dir;

  private static void admitAndRecord(StorageEngine engine, ClientSessions sessions, long index, long clientId) {
    try (ApplyBatch batch = new ApplyBatch(index - 1, 1)) {
      Command command = Command.newBuilder().setClientId(clientId).setSequence(1).build();
      SessionDecision decision = sessions.admit(batch, command);
      assertThat(decision).isInstanceOf(SessionDecision.New.class);
      sessions.record(batch, index, command, (SessionDecision.New) decision,
          WriteOutcome.succeeded(WriteResponse.newBuilder().setIndex(index).setApplied(true).build()));
      sessions.stageHeaders(batch);
      engine.write(batch.writeBatch(), false);
      sessions.onWritten(batch);
    }
  }

  @Test
  void aClientsSessionInOneGroupIsNotSeenByAnotherAndEachReloadsOnlyItsOwn() {
    GroupKeys one = new GroupKeys(1);
    GroupKeys two = new GroupKeys(2);
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      ClientSessions sessionsOne = new ClientSessions(engine, one, POLICY);
      ClientSessions sessionsTwo = new ClientSessions(engine, two, POLICY);
      admitAndRecord(engine, sessionsOne, 1, 7);
      admitAndRecord(engine, sessionsOne, 2, 8);
      admitAndRecord(engine, sessionsTwo, 1, 9);
      // Client 7 is new to group 2: its request 1 is applied there, not answered from group 1's session.
      try (ApplyBatch batch = new ApplyBatch(1, 1)) {
        assertThat(sessionsTwo.admit(batch, Command.newBuilder().setClientId(7).setSequence(1).build()))
            .isInstanceOf(SessionDecision.New.class);
      }
    }
    try (StorageEngine engine = StorageEngine.open(dir, "c", 1)) {
      assertThat(new ClientSessions(engine, one, POLICY).size()).isEqualTo(2);
      assertThat(new ClientSessions(engine, two, POLICY).size()).isEqualTo(1);
      assertThat(new ClientSessions(engine, new GroupKeys(3), POLICY).size()).isZero();
    }
  }
}
