package io.raftkv.server.peer;

import io.raftkv.server.node.NodeException;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.Error;
import io.raftkv.api.Member;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Membership changes wait by log index and term, like writes. */
class PendingConfChangesTest {
  private final PendingConfChanges changes = new PendingConfChanges();
  private final List<Member> members = List.of(Member.newBuilder().setId(1).build());

  private static Error.Code code(CompletableFuture<?> f) {
    return ((NodeException) f.handle((v, e) -> e).join()).error().getCode();
  }

  @Test
  void aChangeAppliedInItsTermCompletesWithTheMembers() {
    CompletableFuture<List<Member>> f = new CompletableFuture<>();
    changes.proposed(5, 2, f, 100);
    changes.applied(5, 2, members).run();
    assertThat(f.join()).isEqualTo(members);
  }

  @Test
  void aPositionTakenByAnotherTermIsStaleCommand() {
    CompletableFuture<List<Member>> applied = new CompletableFuture<>();
    CompletableFuture<List<Member>> emptied = new CompletableFuture<>();
    changes.proposed(5, 2, applied, 100);
    changes.proposed(6, 2, emptied, 100);
    changes.applied(5, 3, members).run();
    changes.takenByEmptyEntry(6, 3).run();
    assertThat(code(applied)).isEqualTo(Error.Code.STALE_COMMAND);
    assertThat(code(emptied)).isEqualTo(Error.Code.STALE_COMMAND);
    assertThat(changes.applied(7, 3, members)).isNull();
  }

  @Test
  void aChangeExpiresOnlyPastItsDeadlineAndFailAllAnswersTheRest() {
    CompletableFuture<List<Member>> early = new CompletableFuture<>();
    CompletableFuture<List<Member>> late = new CompletableFuture<>();
    changes.proposed(5, 2, early, 100);
    changes.proposed(6, 2, late, 200);
    assertThat(changes.expire(100)).isEmpty();
    changes.expire(101).forEach(Runnable::run);
    assertThat(code(early)).isEqualTo(Error.Code.TIMEOUT);
    assertThat(late).isNotDone();
    changes.failAll(NodeException.of(Error.Code.UNAVAILABLE, "stopping")).forEach(Runnable::run);
    assertThat(code(late)).isEqualTo(Error.Code.UNAVAILABLE);
  }
}
