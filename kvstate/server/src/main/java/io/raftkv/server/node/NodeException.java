package io.raftkv.server.node;

import io.raftkv.api.Error;

/** A request the node could not serve, with the {@link Error} the client gets. */
public final class NodeException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Error error;

  public NodeException(Error error) {
    super(error.getCode() + ": " + error.getMessage());
    this.error = error;
  }

  public static NodeException of(Error.Code code, String message) {
    return new NodeException(Error.newBuilder().setCode(code).setMessage(message).build());
  }

  public Error error() {
    return error;
  }
}
