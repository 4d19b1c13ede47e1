package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import org.junit.jupiter.api.Test;

/** A failed call's error as the client sees it: the node's own Error, or one made from the gRPC status. */
class GrpcErrorMappingTest {
  @Test
  void nodeErrorInTheTrailersComesBackWhole() {
    Error sent = Error.newBuilder().setCode(Error.Code.COMPACTED).setMessage("gone").setOldestIndex(42).build();
    assertThat(ErrorTrailers.fromThrowable(ErrorTrailers.toException(sent))).isEqualTo(sent);
  }

  @Test
  void messageOverGrpcsSizeLimitIsRefusedNotRetried() {
    Error e = ErrorTrailers.fromThrowable(Status.RESOURCE_EXHAUSTED
        .withDescription("gRPC message exceeds maximum size 4194304: 5000000").asRuntimeException());
    assertThat(e.getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("RESOURCE_EXHAUSTED").contains("4194304");
  }

  @Test
  void transportFailuresStayRetryable() {
    assertThat(ErrorTrailers.fromThrowable(Status.UNAVAILABLE.asRuntimeException()).getCode())
        .isEqualTo(Error.Code.UNAVAILABLE);
    assertThat(ErrorTrailers.fromThrowable(Status.DEADLINE_EXCEEDED.asRuntimeException()).getCode())
        .isEqualTo(Error.Code.TIMEOUT);
    assertThat(ErrorTrailers.fromThrowable(Status.UNIMPLEMENTED.asRuntimeException()).getCode())
        .isEqualTo(Error.Code.INVALID_ARGUMENT);
  }
}
