package io.raftkv.client;

import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;

/** A failed gRPC call (status, and the node's Error in its trailers) as a {@link RaftKvException}. */
final class GrpcErrors {
  private GrpcErrors() {}

  /** The failure of a call to {@code endpoint}: the node's own error if it sent one, else one from the status. */
  static RaftKvException fromCall(String endpoint, Throwable failure) {
    Error error = ErrorTrailers.fromThrowable(failure);
    if (error.getCode() == Error.Code.UNAVAILABLE) {
      java.util.Optional<String> tls = TlsFailures.describe(endpoint, failure);
      if (tls.isPresent()) {
        error = error.toBuilder().setMessage(tls.get()).build();
      }
    }
    return fromNode(endpoint, error, failure);
  }

  /** The error {@code endpoint} gave (for a whole call or one request of a batch), as an exception. */
  static RaftKvException fromNode(String endpoint, Error error, Throwable cause) {
    return RaftKvException.of(error, cause, describe(endpoint, error));
  }

  /** The error's own message, or its code and the node when it carries none. */
  static String describe(String endpoint, Error error) {
    return error.getMessage().isEmpty() ? error.getCode() + " from " + endpoint : error.getMessage();
  }
}
