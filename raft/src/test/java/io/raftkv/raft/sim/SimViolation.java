package io.raftkv.raft.sim;

/** A Raft property the simulation saw broken (or a contract rule of the core's API). */
final class SimViolation extends AssertionError {
  private static final long serialVersionUID = 1L;

  private final String property;

  SimViolation(String property, String detail) {
    super(property + " violated: " + detail);
    this.property = property;
  }

  String property() {
    return property;
  }
}
