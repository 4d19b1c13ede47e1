package io.raftkv.server.statemachine;

/**
 * How many exactly-once client sessions the state machine keeps, and how much of each. No clock is
 * involved: past {@code maxSessions}, the session whose last write has the lowest log index is evicted, so
 * every replica evicts the same sessions at the same index whatever any node's clock says.
 *
 * @param maxSessions most live client sessions; a new client past it evicts the least recently written one
 *     (a later request of an evicted client that had been answered is refused with SESSION_EXPIRED, never
 *     applied twice)
 * @param maxPendingResponses how far behind a client's newest request its unacknowledged answers are kept:
 *     an answer more than this many sequences older is dropped (and a retry of it is refused, never
 *     applied twice); it bounds the session of a client that never acknowledges
 */
public record SessionPolicy(int maxSessions, int maxPendingResponses) {
  /** 100,000 sessions; up to 1,024 unacknowledged answers each. */
  public static final SessionPolicy DEFAULT = new SessionPolicy(100_000, 1024);

  public SessionPolicy {
    if (maxSessions < 1 || maxPendingResponses < 1) {
      throw new IllegalArgumentException("session policy values must be positive: maxSessions " + maxSessions
          + ", maxPendingResponses " + maxPendingResponses);
    }
  }
}
