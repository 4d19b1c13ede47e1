package io.raftkv.testkit;

import io.raftkv.server.node.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What an {@link InProcessCluster} is: where its data goes, how many founding nodes, its cluster id, how
 * each node's config is adjusted, and which test features its nodes run with.
 *
 * @param tuning adjusts each node's config (e.g. a short change-feed retention) before it starts
 * @param faultInjection every node takes SetNetworkFaults, as with `raftkv server --fault-injection`
 * @param partitionable the nodes' peer links can be cut by {@link InProcessCluster#partition}
 * @param foundingPeersOnly a founding node knows only the others' peer addresses, as `--peers` gives them
 * @param tls both ports of every node run TLS with certificates of the cluster's own test CA (under root/certs),
 *     and the cluster's clients present the {@code admin} user's certificate
 */
public record InProcessClusterSpec(Path root, int size, String clusterId, UnaryOperator<NodeConfig.Builder> tuning,
    boolean faultInjection, boolean partitionable, boolean foundingPeersOnly, boolean tls) {

  public InProcessClusterSpec {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(tuning, "tuning");
    if (size < 1) {
      throw new IllegalArgumentException("size " + size + ": a cluster has at least 1 node");
    }
  }

  /** Builds a spec; defaults: cluster "test", configs as they are, no fault injection, links that cannot be cut. */
  public static final class Builder {
    private final Path root;
    private final int size;
    private String clusterId = "test";
    private UnaryOperator<NodeConfig.Builder> tuning = UnaryOperator.identity();
    private boolean faultInjection;
    private boolean partitionable;
    private boolean foundingPeersOnly;
    private boolean tls;

    Builder(Path root, int size) {
      this.root = root;
      this.size = size;
    }

    public Builder clusterId(String id) {
      this.clusterId = id;
      return this;
    }

    public Builder tuning(UnaryOperator<NodeConfig.Builder> t) {
      this.tuning = t;
      return this;
    }

    public Builder faultInjection() {
      this.faultInjection = true;
      return this;
    }

    public Builder partitionable() {
      this.partitionable = true;
      return this;
    }

    public Builder foundingPeersOnly() {
      this.foundingPeersOnly = true;
      return this;
    }

    /** Secures the cluster as a production one is: TLS on both ports, peers and clients with certificates. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    public InProcessClusterSpec spec() {
      return new InProcessClusterSpec(root, size, clusterId, tuning, faultInjection, partitionable, foundingPeersOnly,
          tls);
    }

    /** The cluster with its members' addresses picked, no node started yet. */
    public InProcessCluster create() {
      return new InProcessCluster(spec());
    }

    /** The cluster with every founding node started (a leader may not be elected yet). */
    public InProcessCluster start() {
      return create().startAll();
    }

    /** The cluster with every founding node started and, within 30 s, a leader they agree on. */
    public InProcessCluster startWithLeader() throws InterruptedException {
      InProcessCluster cluster = start();
      try {
        cluster.awaitLeader(Duration.ofSeconds(30));
      } catch (InterruptedException | RuntimeException | AssertionError e) {
        cluster.close();
        throw e;
      }
      return cluster;
    }
  }
}
