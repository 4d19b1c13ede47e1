package io.raftkv.client;

import io.raftkv.api.Error;

/** A request the cluster refused or could not answer in time; {@link #code()} says which. */
public final class RaftKvException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Error.Code code;
  private final String leaderAddress;
  private final long oldestIndex;

  public RaftKvException(Error.Code code, String message) {
    this(code, message, null, "");
  }

  public RaftKvException(Error.Code code, String message, Throwable cause) {
    this(code, message, cause, "");
  }

  RaftKvException(Error.Code code, String message, Throwable cause, String leaderAddress) {
    this(code, message, cause, leaderAddress, 0);
  }

  private RaftKvException(Error.Code code, String message, Throwable cause, String leaderAddress,
      long oldestIndex) {
    super(message, cause);
    this.code = code;
    this.leaderAddress = leaderAddress;
    this.oldestIndex = oldestIndex;
  }

  /** The error a node sent, as an exception ({@code fallback} when it carries no message). */
  static RaftKvException of(Error error, Throwable cause, String fallback) {
    return new RaftKvException(error.getCode(), error.getMessage().isEmpty() ? fallback : error.getMessage(),
        cause, error.getLeaderAddress(), error.getOldestIndex());
  }

  public Error.Code code() {
    return code;
  }

  /** With COMPACTED: the oldest index the node's change feed still holds. */
  public long oldestIndex() {
    return oldestIndex;
  }

  /** With NOT_LEADER: the leader's client address if the node knew it, else "". */
  public String leaderAddress() {
    return leaderAddress;
  }
}
