package io.raftkv.connect.config;

import io.raftkv.api.Error;
import io.raftkv.api.StatusResponse;
import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.config.ConfigValue;

/**
 * Checks that a config reaches a live RaftKV cluster, so a config that names none, or cannot speak to it, is
 * refused up front: the TLS and login options make a client (its files read and checked), then each endpoint is
 * asked for its status, then the cluster whether it knows the connector's user and lets it read the prefixes the
 * connector needs ({@link AccessProbe}); a failure is reported on the option to change.
 */
public final class ClusterProbe {
  /** The longest a validation waits for the cluster (less if the configured request timeout is shorter). */
  private static final Duration VALIDATE_TIMEOUT = Duration.ofSeconds(5);

  private ClusterProbe() {}

  /**
   * If the endpoint list, the TLS and the login options passed their own checks, makes a client and asks the
   * cluster, checking that the connector's user may read each of {@code needs}; adds what is wrong to the errors
   * of the option at fault. {@code values} are a validation's results by option name.
   */
  public static void check(Map<String, ConfigValue> values, List<PrefixNeed> needs) {
    ConfigValue endpoints = values.get(RaftKvClusterConfig.ENDPOINTS);
    if (!endpoints.errorMessages().isEmpty() || hasErrors(values, RaftKvSslConfig.ENABLED,
        RaftKvSslConfig.CA_LOCATION, RaftKvSslConfig.CERTIFICATE_LOCATION, RaftKvSslConfig.KEY_LOCATION,
        RaftKvAuthConfig.USER, RaftKvAuthConfig.PASSWORD)) {
      return;
    }
    SslSettings ssl = SslSettings.read(name -> values.containsKey(name) ? values.get(name).value() : null);
    AuthSettings auth = AuthSettings.read(name -> values.containsKey(name) ? values.get(name).value() : null);
    List<OptionProblem> problems = new ArrayList<>(ssl.problems());
    problems.addAll(auth.problems());
    if (problems.isEmpty()) {
      ConfigValue timeout = values.get(RaftKvClusterConfig.REQUEST_TIMEOUT_MS);
      Duration probeTimeout = timeout.errorMessages().isEmpty()
          ? Duration.ofMillis(Math.min(VALIDATE_TIMEOUT.toMillis(), (Long) timeout.value())) : VALIDATE_TIMEOUT;
      problem(RaftKvClient.parseEndpoints((String) endpoints.value()), probeTimeout, ssl, auth, needs)
          .ifPresent(problems::add);
    }
    for (OptionProblem p : problems) {
      values.get(p.option()).addErrorMessage(p.option().equals(RaftKvClusterConfig.ENDPOINTS)
          ? RaftKvClusterConfig.ENDPOINTS + "='" + endpoints.value() + "': " + p.message() : p.message());
    }
  }

  private static boolean hasErrors(Map<String, ConfigValue> values, String... options) {
    for (String option : options) {
      ConfigValue v = values.get(option);
      if (v != null && !v.errorMessages().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * What is wrong with reaching the cluster at {@code endpoints} with {@code ssl}, on the option to change, or
   * empty if some node answered.
   */
  public static Optional<OptionProblem> problem(List<String> endpoints, Duration timeout, SslSettings ssl) {
    return problem(endpoints, timeout, ssl, AuthSettings.NONE, List.of());
  }

  /**
   * What is wrong with reaching the cluster at {@code endpoints} with {@code ssl} as {@code auth}'s user, or with
   * that user's permissions on {@code needs}, on the option to change; empty if some node answered and the user
   * may read what it needs.
   */
  public static Optional<OptionProblem> problem(List<String> endpoints, Duration timeout, SslSettings ssl,
      AuthSettings auth, List<PrefixNeed> needs) {
    List<OptionProblem> incomplete = new ArrayList<>(ssl.problems());
    incomplete.addAll(auth.problems());
    if (!incomplete.isEmpty()) {
      return Optional.of(incomplete.get(0));
    }
    RaftKvClient client;
    try {
      client = RaftKvClusterConfig.client(endpoints, timeout, ssl, auth);
    } catch (BadTlsFileException e) {
      return Optional.of(ssl.problemOf(e));
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(endpoints.size(), 8), r -> {
      Thread t = new Thread(r, "raftkv-probe");
      t.setDaemon(true);
      return t;
    });
    try (client) {
      List<CompletableFuture<String>> answers = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      Optional<OptionProblem> refusal = Optional.empty();
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
          failures.add(endpoints.get(i) + " (" + AccessProbe.hide(cause.getMessage(), auth) + ")");
          if (refusal.isEmpty() && cause instanceof RaftKvException refused
              && refused.code() == Error.Code.UNAUTHENTICATED) {
            refusal = Optional.of(AccessProbe.refusedLogin(auth, endpoints.get(i), refused));
          }
          if (refusal.isEmpty()) {
            refusal = HandshakeDiagnosis.diagnose(cause, endpoints.get(i), ssl);
          }
        }
      }
      if (clusterIds.isEmpty()) {
        return Optional.of(refusal.orElseGet(() -> new OptionProblem(RaftKvClusterConfig.ENDPOINTS,
            "no RaftKV node answered within " + timeout.toMillis() + " ms at " + String.join(", ", failures)
                + ": check the addresses and that the cluster is running")));
      }
      if (clusterIds.size() > 1) {
        return Optional.of(new OptionProblem(RaftKvClusterConfig.ENDPOINTS, "the endpoints belong to different "
            + "RaftKV clusters " + clusterIds + ": list the nodes of one cluster only"));
      }
      return AccessProbe.problem(client, ssl, auth, needs);
    } finally {
      pool.shutdownNow();
    }
  }
}
