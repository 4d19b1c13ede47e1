package io.raftkv.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InFlightWritesTest {
  private static WriteRequest request(long client, long sequence) {
    return WriteRequest.newBuilder().setClientId(client).setSequence(sequence).build();
  }

  @Test
  void aRetryOfAWriteStillInFlightJoinsTheFirstAnswerUntilItCompletes() {
    InFlightWrites writes = new InFlightWrites();
    CompletableFuture<WriteResponse> first = new CompletableFuture<>();
    writes.track(request(7, 1), first);

    assertThat(writes.find(request(7, 1))).isSameAs(first);
    assertThat(writes.find(request(7, 2))).isNull();
    assertThat(writes.find(request(8, 1))).isNull();

    first.completeExceptionally(new IllegalStateException("timed out"));
    assertThat(writes.find(request(7, 1))).as("a completed write is retried afresh").isNull();
    assertThat(writes.size()).isZero();
  }

  @Test
  void writesWithoutAClientIdAreNeverJoined() {
    InFlightWrites writes = new InFlightWrites();
    writes.track(request(0, 1), new CompletableFuture<>());
    assertThat(writes.find(request(0, 1))).isNull();
    assertThat(writes.size()).isZero();
  }
}
