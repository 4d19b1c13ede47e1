package io.raftkv.client;

/** What a failed try taught about who leads; {@link LeaderTracker#learn} applies it. */
sealed interface LeaderNews {
  /** Nothing new: keep whatever leader is known. */
  record Unchanged() implements LeaderNews {}

  /** The known leader is not (or no longer) reachable as leader: go round the endpoints. */
  record Unknown() implements LeaderNews {}

  /** A node named the leader's client address. */
  record At(String address) implements LeaderNews {}

  LeaderNews UNCHANGED = new Unchanged();
  LeaderNews UNKNOWN = new Unknown();
}
