package io.raftkv.raft;

/** The outcome of an election as far as the votes received so far tell. */
enum VoteResult {
  PENDING,
  LOST,
  WON
}
