package io.raftkv.connect.config;

import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Asks each endpoint for its status, so a config that names no live RaftKV cluster is refused up front. */
public final class ClusterProbe {
  private ClusterProbe() {}

  /** What is wrong with reaching the cluster at {@code endpoints}, or empty if some node answered. */
  public static Optional<String> problem(List<String> endpoints, Duration timeout) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(endpoints.size(), 8), r -> {
      Thread t = new Thread(r, "raftkv-probe");
      t.setDaemon(true);
      return t;
    });
    try (RaftKvClient client = RaftKvClient.connect(endpoints, timeout)) {
      List<CompletableFuture<String>> answers = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      TreeSet<String> clusterIds = new TreeSet<>();
      for (String endpoint : endpoints) {
        answers.add(CompletableFuture.supplyAsync(() -> {
          StatusResponse status = client.status(endpoint);
          return status.getClusterId();
        }, pool));
      }
      for (int i = 0; i < endpoints.size(); i++) {
        try {
          clusterIds.add(answers.get(i).join());
        } catch (RuntimeException e) {
          Throwable cause = e.getCause() == null ? e : e.getCause();
          failures.add(endpoints.get(i) + " (" + cause.getMessage() + ")");
        }
      }
      if (clusterIds.isEmpty()) {
        return Optional.of("no RaftKV node answered within " + timeout.toMillis() + " ms at " + String.join(", ",
            failures) + ": check the addresses and that the cluster is running");
      }
      if (clusterIds.size() > 1) {
        return Optional.of("the endpoints belong to different RaftKV clusters " + clusterIds
            + ": list the nodes of one cluster only");
      }
      return Optional.empty();
    } finally {
      pool.shutdownNow();
    }
  }
}
