package io.raftkv.client;

import io.raftkv.api.Error;

/** A request the cluster refused or could not answer in time; {@link #code()} says which. */
public final class RaftKvException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Error.Code code;
  private final String leaderAddress;

  public RaftKvException(Error.Code code, String message) {
    this(code, message, null, "");
  }

  public RaftKvException(Error.Code code, String message, Throwable cause) {
    this(code, message, cause, "");
  }

  RaftKvException(Error.Code code, String message, Throwable cause, String leaderAddress) {
    super(message, cause);
    this.code = code;
    this.leaderAddress = leaderAddress;
  }

  public Error.Code code() {
    return code;
  }

  /** With NOT_LEADER: the leader's client address if the node knew it, else "". */
  public String leaderAddress() {
    return leaderAddress;
  }
}
