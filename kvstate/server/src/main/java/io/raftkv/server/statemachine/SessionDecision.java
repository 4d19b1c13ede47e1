package io.raftkv.server.statemachine;

import io.raftkv.api.Error;
import io.raftkv.server.statemachine.pb.ClientSession;

/** The exactly-once decision on one client request, taken before it is executed. */
sealed interface SessionDecision {
  /** Client id 0: the request is not de-duplicated; execute it, store nothing. */
  record Unsessioned() implements SessionDecision {}

  /**
   * Not applied before: execute it, then record its answer in {@code session} (the client's session as
   * this round sees it, empty if {@code opensSession}: the client's first request since it had none).
   */
  record New(ClientSession session, boolean opensSession) implements SessionDecision {}

  /** A retry of a request that was applied: answer it with its stored first {@code answer}, not again. */
  record Duplicate(WriteOutcome answer) implements SessionDecision {}

  /** The client's session was evicted; its request is refused rather than risk applying it twice. */
  record Expired(Error error) implements SessionDecision {}

  /** At or below the client's acknowledged sequence: its answer is forgotten, so it is refused. */
  record Stale(Error error) implements SessionDecision {}
}
