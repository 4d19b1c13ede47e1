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

  @Option(names = "--user", paramLabel = "NAME",
      description = "Call as this user, authenticated by its password (from --password-file, else $RAFTKV_PASSWORD,"
          + " else asked for on the terminal).")
  String user;

  @Option(names = "--password-file", paramLabel = "FILE",
      description = "The --user's password: the file's first line.")
  String passwordFile;

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
    return connect(System.getenv("RAFTKV_PASSWORD"));
  }

  /** The client, calling as --user if given, with its password from the file, {@code passwordFromEnvironment} or a prompt. */
  RaftKvClient connect(String passwordFromEnvironment) {
    RaftKvClient.Builder builder = RaftKvClient.builder(endpointList()).deadline(Durations.parse("--timeout", timeout));
    if (user == null) {
      if (passwordFile != null) {
        throw new IllegalArgumentException("--password-file is given without --user: name the user it is the"
            + " password of");
      }
      return builder.build();
    }
    if (user.isEmpty() || user.length() > 64 || user.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("--user is '" + user + "': a user name is 1 to 64 characters without"
          + " control characters");
    }
    char[] password = new PasswordSource("--password-file", "RAFTKV_PASSWORD").read(passwordFile,
        passwordFromEnvironment, "password of user '" + user + "'", false);
    try {
      return builder.credentials(user, password).build();
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
  }
}
