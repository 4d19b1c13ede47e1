package io.raftkv.torture.rig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Partition shapes as the peers each node must block: a node blocks every node it cannot reach, so the
 * cut holds both ways even if only one side's faults take effect.
 */
final class Partitions {
  private Partitions() {}

  /** A named shape: for each member id, the member ids it blocks. */
  record Shape(String name, Map<Long, Set<Long>> blocked) {}

  /** Which nodes can reach which: two nodes are cut when their groups differ and neither is the bridge. */
  private static Shape cut(String name, List<Long> ids, Set<Long> sideA, Long bridge) {
    Map<Long, Set<Long>> blocked = new HashMap<>();
    for (long a : ids) {
      Set<Long> out = new HashSet<>();
      for (long b : ids) {
        boolean bridged = bridge != null && (a == bridge || b == bridge);
        if (a != b && !bridged && sideA.contains(a) != sideA.contains(b)) {
          out.add(b);
        }
      }
      blocked.put(a, out);
    }
    return new Shape(name, blocked);
  }

  /** A random minority (1 of 3, 2 of 5) cut from the majority. */
  static Shape majorityMinority(List<Long> ids, Random random) {
    List<Long> shuffled = shuffled(ids, random);
    Set<Long> minority = new HashSet<>(shuffled.subList(0, ids.size() / 2));
    return cut("minority " + minority + " | majority", ids, minority, null);
  }

  /** The leader alone on one side, every other node on the other. */
  static Shape isolated(List<Long> ids, long leader) {
    return cut("isolated leader " + leader, ids, Set.of(leader), null);
  }

  /**
   * Two halves that cannot reach each other and one node that reaches both: each half may see a majority
   * through the bridge, a classic source of dueling leaders.
   */
  static Shape bridge(List<Long> ids, Random random) {
    List<Long> shuffled = shuffled(ids, random);
    long bridge = shuffled.get(0);
    List<Long> rest = shuffled.subList(1, shuffled.size());
    Set<Long> half = new HashSet<>(rest.subList(0, rest.size() / 2));
    return cut("bridge " + bridge + " between " + half + " and the rest", ids, half, bridge);
  }

  private static List<Long> shuffled(List<Long> ids, Random random) {
    List<Long> out = new ArrayList<>(ids);
    Collections.shuffle(out, random);
    return out;
  }
}
