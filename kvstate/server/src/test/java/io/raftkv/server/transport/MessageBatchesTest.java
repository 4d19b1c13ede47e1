package io.raftkv.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.pb.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Outgoing messages are split into one batch per recipient without reordering. */
class MessageBatchesTest {
  private static Message to(long peer, long index) {
    return Message.newBuilder().setTo(peer).setIndex(index).build();
  }

  @Test
  void messagesAreGroupedByRecipientInTheOrderTheyWereSent() {
    var batches = MessageBatches.byPeer(List.of(to(3, 1), to(2, 2), to(3, 3), to(2, 4), to(4, 5)));

    assertThat(batches.keySet()).containsExactly(3L, 2L, 4L);
    assertThat(batches.get(3L)).containsExactly(to(3, 1), to(3, 3));
    assertThat(batches.get(2L)).containsExactly(to(2, 2), to(2, 4));
    assertThat(batches.get(4L)).containsExactly(to(4, 5));
  }

  @Test
  void noMessagesMakeNoBatches() {
    assertThat(MessageBatches.byPeer(List.of())).isEmpty();
  }
}
