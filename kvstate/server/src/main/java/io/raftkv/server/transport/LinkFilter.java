package io.raftkv.server.transport;

/**
 * Decides whether the link from one node to another delivers: the hook that partition and message-loss
 * tests (and the torture rig) use to cut the peer network without touching the OS. Must be thread-safe.
 */
@FunctionalInterface
public interface LinkFilter {
  /** Delivers everything. */
  LinkFilter OPEN = (from, to) -> true;

  boolean delivers(long from, long to);
}
