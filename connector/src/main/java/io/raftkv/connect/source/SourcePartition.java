package io.raftkv.connect.source;

import java.util.Map;

/** The source partition of a RaftKV cluster's change feed: {"cluster": name}. */
public final class SourcePartition {
  static final String CLUSTER = "cluster";

  private SourcePartition() {}

  public static Map<String, Object> of(String clusterName) {
    return Map.of(CLUSTER, clusterName);
  }

  /**
   * The cluster name a source partition names.
   *
   * @throws IllegalArgumentException if it is not {"cluster": name}
   */
  public static String clusterOf(Map<String, ?> partition) {
    Object name = partition.get(CLUSTER);
    if (partition.size() != 1 || !(name instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException("source partition " + partition + " is not a RaftKV one: it must be "
          + "{\"" + CLUSTER + "\": \"<cluster name>\"}");
    }
    return s;
  }
}
