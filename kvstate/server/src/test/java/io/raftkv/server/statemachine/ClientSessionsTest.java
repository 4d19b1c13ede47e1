package io.raftkv.server.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.Error;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client sessions over real RocksDB: the exactly-once decision, answer pruning, eviction by log index. */
class ClientSessionsTest {
  private static final io.raftkv.server.storage.GroupKeys GROUP =
      io.raftkv.server.storage.GroupKeys.firstGroup();
  private static final SessionPolicy POLICY = new SessionPolicy(3, 4);

  @TempDir
  Path dir;

  private Store store;

  @BeforeEach
  void open() {
    store = new Store(dir);
  }

  @AfterEach
  void close() {
    store.engine.close();
  }

  /** A sessions store on real RocksDB, applying requests one index after another as the raft loop would. */
  private static final class Store {
    private final Path dir;
    private StorageEngine engine;
    private ClientSessions sessions;
    private long index;

    Store(Path dir) {
      this.dir = dir;
      this.engine = StorageEngine.open(dir, "c1", 1);
      this.sessions = new ClientSessions(engine, GROUP, POLICY);
    }

    /** Closes the store and opens it again from disk: nothing of memory survives. */
    void reopen() {
      engine.close();
      engine = StorageEngine.open(dir, "c1", 1);
      sessions = new ClientSessions(engine, GROUP, POLICY);
    }

    /** Decides on each request at the next index in one round, records the new ones' answers, writes the round. */
    List<SessionDecision> round(Command... commands) {
      List<SessionDecision> decisions = new ArrayList<>();
      try (ApplyBatch batch = new ApplyBatch(index, 1)) {
        for (Command command : commands) {
          index++;
          SessionDecision decision = sessions.admit(batch, command);
          if (decision instanceof SessionDecision.New fresh) {
            sessions.record(batch, index, command, fresh, answerAt(index));
          }
          decisions.add(decision);
        }
        sessions.stageHeaders(batch);
        engine.write(batch.writeBatch(), false);
        sessions.onWritten(batch);
      }
      return decisions;
    }

    boolean hasHeader(long clientId) {
      return engine.get(ColumnFamily.SESSIONS, GROUP.sessionHeader(clientId)) != null;
    }

    boolean hasAnswer(long clientId, long sequence) {
      return engine.get(ColumnFamily.SESSIONS, GROUP.sessionResponse(clientId, sequence)) != null;
    }
  }

  private static Command request(long clientId, long sequence) {
    return request(clientId, sequence, 0);
  }

  private static Command request(long clientId, long sequence, long acknowledged) {
    return Command.newBuilder().setClientId(clientId).setSequence(sequence).setAcknowledgedSequence(acknowledged)
        .build();
  }

  private static Command resuming(long clientId, long sequence) {
    return request(clientId, sequence).toBuilder().setResumesSession(true).build();
  }

  /** The answer a new request gets here: one naming the index it applied at. */
  private static WriteOutcome answerAt(long index) {
    return WriteOutcome.succeeded(WriteResponse.newBuilder().setIndex(index).setApplied(true).build());
  }

  private List<SessionDecision> round(Command... commands) {
    return store.round(commands);
  }

  private SessionDecision decide(Command command) {
    return store.round(command).get(0);
  }

  private boolean hasHeader(long clientId) {
    return store.hasHeader(clientId);
  }

  private boolean hasAnswer(long clientId, long sequence) {
    return store.hasAnswer(clientId, sequence);
  }

  @Test
  void aClientsFirstRequestIsNewAndOpensItsSessionAndItsNextOneIsNewInIt() {
    SessionDecision first = decide(request(7, 1));
    assertThat(first).isInstanceOf(SessionDecision.New.class);
    assertThat(((SessionDecision.New) first).opensSession()).isTrue();
    assertThat(store.sessions.size()).isEqualTo(1);

    SessionDecision second = decide(request(7, 2));
    assertThat(((SessionDecision.New) second).opensSession()).isFalse();
    assertThat(((SessionDecision.New) second).session().getHighestSequence()).isEqualTo(1);
    assertThat(((SessionDecision.New) second).session().getLastWriteIndex()).isEqualTo(1);
    assertThat(store.sessions.size()).isEqualTo(1);
  }

  @Test
  void aRetryOfAnAnsweredRequestIsADuplicateCarryingItsFirstAnswerInTheSameRoundOrLater() {
    List<SessionDecision> sameRound = round(request(7, 1), request(7, 1));
    assertThat(sameRound.get(1)).isEqualTo(new SessionDecision.Duplicate(answerAt(1)));

    assertThat(decide(request(7, 1))).isEqualTo(new SessionDecision.Duplicate(answerAt(1)));
    assertThat(decide(request(7, 2))).isInstanceOf(SessionDecision.New.class); // applied at index 4
    assertThat(decide(request(7, 2))).isEqualTo(new SessionDecision.Duplicate(answerAt(4)));
  }

  @Test
  void requestsWithoutAClientIdAreNeverDeduplicatedNorKept() {
    assertThat(decide(request(0, 1))).isInstanceOf(SessionDecision.Unsessioned.class);
    assertThat(decide(request(0, 1))).isInstanceOf(SessionDecision.Unsessioned.class);
    assertThat(store.sessions.size()).isZero();
  }

  @Test
  void acknowledgedAnswersArePrunedAndARetryOfOneIsStale() {
    round(request(7, 1), request(7, 2));
    decide(request(7, 3, 2));
    assertThat(hasAnswer(7, 1)).isFalse();
    assertThat(hasAnswer(7, 2)).isFalse();
    assertThat(hasAnswer(7, 3)).isTrue();

    SessionDecision retry = decide(request(7, 2));
    assertThat(retry).isInstanceOf(SessionDecision.Stale.class);
    Error error = ((SessionDecision.Stale) retry).error();
    assertThat(error.getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(error.getMessage()).contains("request 2 of client 7", "acknowledged sequence 2");
  }

  @Test
  void answersFurtherThanThePendingWindowBehindTheNewestArePrunedEvenIfNeverAcknowledged() {
    for (long seq = 1; seq <= 7; seq++) {
      decide(request(7, seq)); // window of 4: request 7 forgets the answers through 3
    }
    assertThat(hasAnswer(7, 3)).isFalse();
    assertThat(hasAnswer(7, 4)).isTrue();
    assertThat(decide(request(7, 3))).isInstanceOf(SessionDecision.Stale.class);
    assertThat(decide(request(7, 4))).isEqualTo(new SessionDecision.Duplicate(answerAt(4)));
  }

  @Test
  void pastTheBoundTheSessionLeastRecentlyWrittenByLogIndexIsEvicted() {
    decide(request(1, 1));
    decide(request(2, 1));
    decide(request(3, 1));
    decide(request(1, 2)); // client 1 wrote last now: client 2 is the least recently written
    decide(request(4, 1));
    assertThat(store.sessions.size()).isEqualTo(3);
    assertThat(hasHeader(2)).isFalse();
    assertThat(hasAnswer(2, 1)).isFalse();
    assertThat(List.of(1L, 3L, 4L)).allSatisfy(c -> assertThat(hasHeader(c)).isTrue());
  }

  @Test
  void anEvictedClientResumingItsSessionIsRefusedAsExpired() {
    for (long client = 1; client <= 4; client++) {
      decide(request(client, 1));
    }
    SessionDecision resumed = decide(resuming(1, 2));
    assertThat(resumed).isInstanceOf(SessionDecision.Expired.class);
    Error error = ((SessionDecision.Expired) resumed).error();
    assertThat(error.getCode()).isEqualTo(Error.Code.SESSION_EXPIRED);
    assertThat(error.getMessage()).contains("client 1 has no session", "keeps the 3 most recently writing");
    assertThat(hasHeader(1)).isFalse(); // refused: nothing recorded for it
    assertThat(decide(resuming(2, 2))).isInstanceOf(SessionDecision.New.class); // a live session resumes
  }

  @Test
  void sessionsReopenedFromDiskDecideAndEvictExactlyAsBefore(@TempDir Path other) {
    // The same history on a second store that stays open: after the first is reopened, both decide alike.
    Command[] history = {request(1, 1), request(2, 1), request(3, 1), request(1, 2, 1)};
    Command[] next = {request(1, 2), request(1, 1), request(3, 1), request(4, 1), resuming(2, 2)};
    Store steady = new Store(other);
    try {
      steady.round(history);
      round(history);
      store.reopen();
      assertThat(store.sessions.size()).isEqualTo(3);

      List<SessionDecision> reopened = round(next);

      assertThat(reopened).isEqualTo(steady.round(next));
      assertThat(reopened.get(0)).isEqualTo(new SessionDecision.Duplicate(answerAt(4)));
      assertThat(reopened.get(1)).isInstanceOf(SessionDecision.Stale.class);
      assertThat(reopened.get(2)).isEqualTo(new SessionDecision.Duplicate(answerAt(3)));
      assertThat(reopened.get(4)).isInstanceOf(SessionDecision.Expired.class); // client 4 evicted client 2
      for (long client = 1; client <= 4; client++) {
        assertThat(hasHeader(client)).isEqualTo(steady.hasHeader(client));
      }
    } finally {
      steady.engine.close();
    }
  }
}
