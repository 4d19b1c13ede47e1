package io.raftkv.server.peer;

import io.raftkv.server.storage.StateCut;
import java.util.concurrent.CompletableFuture;

/**
 * A request the loop could not answer yet and checks again at every tick, until it can or its deadline
 * passes: one record per kind, handled by one switch in {@link PeerLoop}.
 */
sealed interface TickRetry {
  /** A leadership transfer under way: answers once {@code expected} leads. */
  record AwaitLeader(long expected, CompletableFuture<Long> future, long deadlineNanos) implements TickRetry {}

  /** A backup's state cut: pinned once no snapshot install replaces the state. */
  record PinStateCut(CompletableFuture<StateCut> cut, long deadlineNanos) implements TickRetry {}
}
