package io.raftkv.torture;

/** What the checker concluded about one key's history. */
public enum Verdict {
  /** Some order of the operations, consistent with real time, explains every result. */
  LINEARIZABLE,
  /** No such order exists: the store broke linearizability on this key. */
  NOT_LINEARIZABLE,
  /** The search ran out of its budget before deciding either way. */
  UNKNOWN
}
