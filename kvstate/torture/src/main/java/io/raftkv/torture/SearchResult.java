package io.raftkv.torture;

/**
 * How one search ended.
 *
 * @param steps linearize and undo attempts made
 * @param furthestBlockNanos how far the search got: the latest completion time of the most urgent
 *     operation of any configuration it entered. An operation invoked later was never a candidate, so it
 *     played no part in a NOT_LINEARIZABLE verdict
 */
record SearchResult(Verdict verdict, long steps, long furthestBlockNanos) {}
