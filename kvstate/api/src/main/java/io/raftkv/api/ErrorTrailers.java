package io.raftkv.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;

/** Carries an {@link Error} in the trailers of a failed gRPC call, both ways. */
public final class ErrorTrailers {
  public static final Metadata.Key<Error> KEY =
      Metadata.Key.of("raftkv-error-bin", ProtoUtils.metadataMarshaller(Error.getDefaultInstance()));

  private ErrorTrailers() {}

  /** The exception a server throws (or passes to onError) to report {@code error}. */
  public static StatusRuntimeException toException(Error error) {
    Metadata trailers = new Metadata();
    trailers.put(KEY, error);
    return statusFor(error.getCode()).withDescription(error.getMessage()).asRuntimeException(trailers);
  }

  /** The Error a failed call carried, or one built from its gRPC status when it carried none. */
  public static Error fromThrowable(Throwable t) {
    Status status = Status.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    if (trailers != null && trailers.containsKey(KEY)) {
      return trailers.get(KEY);
    }
    Error.Code code = switch (status.getCode()) {
      case DEADLINE_EXCEEDED -> Error.Code.TIMEOUT;
      case UNAVAILABLE, CANCELLED -> Error.Code.UNAVAILABLE;
      // Refused by gRPC itself, the same every time: a message over the size limit, a method the node
      // does not have. Retrying cannot help, so these are not UNKNOWN (which clients retry).
      case INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNIMPLEMENTED, OUT_OF_RANGE -> Error.Code.INVALID_ARGUMENT;
      // A node or the client's own credentials refused the caller: the same every time until it changes.
      case UNAUTHENTICATED -> Error.Code.UNAUTHENTICATED;
      case PERMISSION_DENIED -> Error.Code.PERMISSION_DENIED;
      default -> Error.Code.UNKNOWN;
    };
    String message = status.getCode() + (status.getDescription() != null ? ": " + status.getDescription() : "");
    return Error.newBuilder().setCode(code).setMessage(message).build();
  }

  private static Status statusFor(Error.Code code) {
    return switch (code) {
      case NOT_LEADER -> Status.FAILED_PRECONDITION;
      case STALE_COMMAND -> Status.ABORTED;
      case TIMEOUT -> Status.DEADLINE_EXCEEDED;
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case COMPACTED, OUT_OF_RANGE -> Status.OUT_OF_RANGE;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case APPLY_REFUSED, SESSION_EXPIRED -> Status.FAILED_PRECONDITION;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
      case UNAUTHENTICATED, INVALID_TOKEN -> Status.UNAUTHENTICATED;
      default -> Status.UNKNOWN;
    };
  }
}
