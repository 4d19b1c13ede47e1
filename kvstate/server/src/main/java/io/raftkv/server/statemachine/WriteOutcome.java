package io.raftkv.server.statemachine;

import io.raftkv.api.Error;
import io.raftkv.api.WriteResponse;

/** What applying one write produced: a response, or an error the client gets instead. */
public record WriteOutcome(WriteResponse response, Error error) {
  static WriteOutcome succeeded(WriteResponse response) {
    return new WriteOutcome(response, null);
  }

  static WriteOutcome failed(Error.Code code, String message) {
    return new WriteOutcome(null, Error.newBuilder().setCode(code).setMessage(message).build());
  }

  static WriteOutcome failed(Error error) {
    return new WriteOutcome(null, error);
  }
}
