package io.raftkv.cli.torture;

/**
 * How one search ended.
 *
 * @param steps linearize and undo attempts made
 * @param furthestBlockNanos the latest completion time of an operation the search failed to linearize
 *     before it completed; every failing branch stopped at or before it (meaningful when not
 *     linearizable)
 */
record SearchResult(Verdict verdict, long steps, long furthestBlockNanos) {}
