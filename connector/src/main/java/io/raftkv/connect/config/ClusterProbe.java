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
  /** The longest a validation waits for the cluster (less if the configured request timeout is shorter). */
  private static final Duration VALIDATE_TIMEOUT = Duration.ofSeconds(5);

  private ClusterProbe() {}

  /**
   * If the endpoint list passed its own checks, asks the cluster and adds what is wrong with reaching it to
   * the endpoints option's errors; {@code values} are a validation's results by option name.
   */
  public static void checkEndpoints(java.util.Map<String, org.apache.kafka.common.config.ConfigValue> values) {
    org.apache.kafka.common.config.ConfigValue endpoints = values.get(RaftKvClusterConfig.ENDPOINTS);
    if (!endpoints.errorMessages().isEmpty()) {
      return;
    }
    org.apache.kafka.common.config.ConfigValue timeout = values.get(RaftKvClusterConfig.REQUEST_TIMEOUT_MS);
    Duration probeTimeout = timeout.errorMessages().isEmpty()
        ? Duration.ofMillis(Math.min(VALIDATE_TIMEOUT.toMillis(), (Long) timeout.value())) : VALIDATE_TIMEOUT;
    problem(RaftKvClient.parseEndpoints((String) endpoints.value()), probeTimeout).ifPresent(p ->
        endpoints.addErrorMessage(RaftKvClusterConfig.ENDPOINTS + "='" + endpoints.value() + "': " + p));
  }

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
