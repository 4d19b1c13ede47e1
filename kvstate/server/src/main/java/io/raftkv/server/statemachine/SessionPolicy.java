package io.raftkv.server.statemachine;

/**
 * When the state machine forgets a client's exactly-once session. Time is the proposal time carried in
 * each entry (the leader's clock), so every replica expires the same sessions at the same log index.
 *
 * @param ttlMs a session idle (no write proposed) for longer than this is dropped; a client must not
 *     retry a write for longer than this
 * @param sweepEveryEntries sessions are swept when the applied index is a multiple of this
 * @param maxPendingResponses how far behind a client's newest request its unacknowledged answers are kept:
 *     an answer more than this many sequences older is dropped (and a retry of it is refused, never
 *     applied twice); it bounds the session of a client that never acknowledges
 */
public record SessionPolicy(long ttlMs, long sweepEveryEntries, int maxPendingResponses) {
  /** Sessions live an hour after their last write; up to 1,024 unacknowledged answers each. */
  public static final SessionPolicy DEFAULT = new SessionPolicy(60 * 60 * 1000L, 1024, 1024);

  public SessionPolicy {
    if (ttlMs < 1 || sweepEveryEntries < 1 || maxPendingResponses < 1) {
      throw new IllegalArgumentException("session policy values must be positive");
    }
  }
}
