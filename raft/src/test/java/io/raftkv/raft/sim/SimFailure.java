package io.raftkv.raft.sim;

import java.util.List;

/** A run that failed: the cause, and the state and recent history of the group when it did. */
final class SimFailure extends AssertionError {
  private static final long serialVersionUID = 1L;

  final String phase;
  final long tick;
  final String nodes;
  final transient List<String> trace;

  SimFailure(Throwable cause, String phase, long tick, String nodes, List<String> trace) {
    super(cause.toString(), cause);
    this.phase = phase;
    this.tick = tick;
    this.nodes = nodes;
    this.trace = trace;
  }

  /** The Raft property that was violated, or what else went wrong (e.g. an exception from the core). */
  String property() {
    Throwable c = getCause();
    return c instanceof SimViolation v ? v.property() : "no unexpected exception (" + c.getClass().getSimpleName() + ")";
  }
}
