package io.raftkv.torture.rig;

import java.util.ArrayList;
import java.util.List;

/** The violations the final checks found, in the order found, each a sentence for a person. */
final class Findings {
  private final List<String> violations = new ArrayList<>();

  void violation(String what) {
    violations.add(what);
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  boolean clean() {
    return violations.isEmpty();
  }
}
