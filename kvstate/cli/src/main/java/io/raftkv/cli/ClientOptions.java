package io.raftkv.cli;

import io.raftkv.client.RaftKvClient;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every client command takes: where the cluster is and how long to wait. */
final class ClientOptions {
  @Option(names = "--endpoints", paramLabel = "HOST:PORT,...",
      description = "Client addresses of cluster nodes (default: $RAFTKV_ENDPOINTS, else 127.0.0.1:7001).")
  String endpoints;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long to keep trying, e.g. 500ms, 10s, 1m (default: ${DEFAULT-VALUE}).")
  String timeout;

  /** Where a client command goes when neither --endpoints nor $RAFTKV_ENDPOINTS says. */
  static final String DEFAULT_ENDPOINT = "127.0.0.1:7001";

  /** Most endpoints one command takes. */
  static final int MAX_ENDPOINTS = 100;

  List<String> endpointList() {
    return endpointList(System.getenv("RAFTKV_ENDPOINTS"));
  }

  /** The endpoints to use: --endpoints if given (an empty one is refused), else {@code fromEnvironment}. */
  List<String> endpointList(String fromEnvironment) {
    String option = "--endpoints";
    String value = endpoints;
    if (value == null) {
      option = "$RAFTKV_ENDPOINTS";
      value = fromEnvironment;
      if (value == null) {
        return List.of(DEFAULT_ENDPOINT);
      }
    }
    List<String> list;
    try {
      list = RaftKvClient.parseEndpoints(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException(option + " is '" + value + "': give host:port of at least one node");
    }
    if (list.size() > MAX_ENDPOINTS) {
      throw new IllegalArgumentException(option + " lists " + list.size() + " endpoints: at most " + MAX_ENDPOINTS);
    }
    return list;
  }

  RaftKvClient connect() {
    return RaftKvClient.connect(endpointList(), Durations.parse("--timeout", timeout));
  }
}
