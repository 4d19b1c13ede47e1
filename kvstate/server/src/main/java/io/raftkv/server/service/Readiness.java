package io.raftkv.server.service;

import io.raftkv.server.node.NodeStatus;
import io.raftkv.server.node.RaftKvNode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Whether a node can serve linearizable requests now, as etcd's /readyz judges it: its raft loop runs, it knows a
 * leader, its applied index is close to its commit index, and a ReadIndex round completes.
 */
final class Readiness {
  /** Most committed entries a ready node may still have to apply. */
  static final long MAX_APPLY_GAP = 10_000;

  private final RaftKvNode node;
  private final Duration readIndexTimeout;

  Readiness(RaftKvNode node, Duration readIndexTimeout) {
    this.node = node;
    this.readIndexTimeout = readIndexTimeout;
  }

  /** The node's readiness now; waits at most the ReadIndex timeout. */
  Report check() {
    if (node.terminated().isDone()) {
      return new Report(false, "the raft loop has stopped");
    }
    NodeStatus status = node.status();
    if (status.removed()) {
      return new Report(false, "node " + status.nodeId() + " was removed from the cluster");
    }
    if (status.leaderId() == 0) {
      return new Report(false, "node " + status.nodeId() + " knows no leader");
    }
    long gap = status.commitIndex() - status.appliedIndex();
    if (gap > MAX_APPLY_GAP) {
      return new Report(false, "node " + status.nodeId() + " has " + gap + " committed entries to apply (ready at"
          + " most " + MAX_APPLY_GAP + ")");
    }
    CompletableFuture<Long> barrier = node.readBarrier();
    try {
      barrier.get(readIndexTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Report(true, "ready");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Report(false, "interrupted");
    } catch (Exception e) {
      barrier.cancel(false);
      return new Report(false, "a ReadIndex round did not complete within " + readIndexTimeout.toMillis() + " ms");
    }
  }

  /** A readiness verdict and why. */
  record Report(boolean ready, String reason) {}
}
