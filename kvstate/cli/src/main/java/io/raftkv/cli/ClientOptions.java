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

  List<String> endpointList() {
    String value = endpoints;
    if (value == null || value.isBlank()) {
      value = System.getenv("RAFTKV_ENDPOINTS");
    }
    if (value == null || value.isBlank()) {
      value = "127.0.0.1:7001";
    }
    List<String> list = RaftKvClient.parseEndpoints(value);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("--endpoints is empty: give host:port of at least one node");
    }
    return list;
  }

  RaftKvClient connect() {
    return RaftKvClient.connect(endpointList(), Durations.parse("--timeout", timeout));
  }
}
