package io.raftkv.server.transport;

/** Decides which peers' raft messages and snapshots the receiving side ignores (fault injection only). */
@FunctionalInterface
public interface InboundFilter {
  /** Ignores no one: what production wiring uses. */
  InboundFilter ACCEPT_ALL = peer -> false;

  /** Whether what {@code peer} sends is to be ignored. */
  boolean refusesFrom(long peer);
}
