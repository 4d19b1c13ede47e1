package io.raftkv.raft.sim;

/** What one run did, for the summary; {@code fingerprint} summarises the whole history. */
record SimResult(long seed, long ticks, long committedIndex, long proposals, long leaders, long crashes,
    long restarts, long partitions, long snapshotsDelivered, long compactions, long readsServed,
    long confChangesProposed, long leaderChecks, long healTicks, long fingerprint) {}
