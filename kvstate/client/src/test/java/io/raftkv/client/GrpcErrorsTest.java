package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import org.junit.jupiter.api.Test;

/** A failed call as the caller sees it: the node's error whole, or one named after the status and node. */
class GrpcErrorsTest {
  @Test
  void theNodesErrorKeepsItsCodeMessageLeaderAndOldestIndex() {
    Error sent = Error.newBuilder().setCode(Error.Code.NOT_LEADER).setMessage("ask b")
        .setLeaderAddress("b:2").setOldestIndex(7).build();
    Throwable failure = ErrorTrailers.toException(sent);
    RaftKvException e = GrpcErrors.fromCall("a:1", failure);
    assertThat(e.code()).isEqualTo(Error.Code.NOT_LEADER);
    assertThat(e.getMessage()).isEqualTo("ask b");
    assertThat(e.leaderAddress()).isEqualTo("b:2");
    assertThat(e.oldestIndex()).isEqualTo(7);
    assertThat(e.getCause()).isSameAs(failure);
  }

  @Test
  void aNodeErrorWithoutMessageNamesItsCodeAndTheNode() {
    RaftKvException e = GrpcErrors.fromCall("a:1",
        ErrorTrailers.toException(Error.newBuilder().setCode(Error.Code.STALE_COMMAND).build()));
    assertThat(e.code()).isEqualTo(Error.Code.STALE_COMMAND);
    assertThat(e.getMessage()).isEqualTo("STALE_COMMAND from a:1");
  }

  @Test
  void aBareGrpcStatusKeepsItsRetryableCode() {
    RaftKvException e = GrpcErrors.fromCall("a:1", Status.UNAVAILABLE.withDescription("io").asRuntimeException());
    assertThat(e.code()).isEqualTo(Error.Code.UNAVAILABLE);
    assertThat(e.getMessage()).isEqualTo("UNAVAILABLE: io");
    assertThat(e.leaderAddress()).isEmpty();
  }

  @Test
  void oneRequestsErrorInABatchBecomesItsOwnException() {
    RaftKvException e = GrpcErrors.fromNode("a:1", Error.newBuilder().setCode(Error.Code.APPLY_REFUSED).build(), null);
    assertThat(e.code()).isEqualTo(Error.Code.APPLY_REFUSED);
    assertThat(e.getMessage()).isEqualTo("APPLY_REFUSED from a:1");
    assertThat(e.getCause()).isNull();
  }
}
