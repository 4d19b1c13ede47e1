package io.raftkv.cli;

import io.raftkv.client.RaftKvClient;
import java.time.Duration;
import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.TlsFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options every client command takes: where the cluster is, how long to wait, and the TLS to speak. */
final class ClientOptions {
  @Option(names = "--endpoints", paramLabel = "HOST:PORT,...",
      description = "Client addresses of cluster nodes (default: $RAFTKV_ENDPOINTS, else 127.0.0.1:7001).")
  String endpoints;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long to keep trying, e.g. 500ms, 10s, 1m (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--cacert", paramLabel = "FILE", description = "The cluster's CA certificate (PEM) to check the"
      + " nodes against (default: $RAFTKV_CACERT). Required unless --insecure.")
  String cacert;

  @Option(names = "--cert", paramLabel = "FILE", description = "A client certificate (PEM) whose common name is your"
      + " user (default: $RAFTKV_CERT); with --key.")
  String cert;

  @Option(names = "--key", paramLabel = "FILE",
      description = "The private key (PKCS#8 PEM) of --cert (default: $RAFTKV_KEY).")
  String key;

  @Option(names = "--insecure", description = "Speak plaintext, to a cluster started with --insecure"
      + " (default: $RAFTKV_INSECURE=1).")
  boolean insecure;

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

  /**
   * The client's TLS files from the flags, else the environment ({@code RAFTKV_CACERT}, {@code RAFTKV_CERT},
   * {@code RAFTKV_KEY}, {@code RAFTKV_INSECURE}); empty for plaintext, which must be asked for.
   *
   * @throws IllegalArgumentException naming what is missing or conflicting
   */
  Optional<TlsFiles> tlsFiles(Map<String, String> environment) {
    String ca = flagOrEnvironment(cacert, environment, "RAFTKV_CACERT");
    String certificate = flagOrEnvironment(cert, environment, "RAFTKV_CERT");
    String privateKey = flagOrEnvironment(key, environment, "RAFTKV_KEY");
    String insecureEnvironment = environment.get("RAFTKV_INSECURE");
    if (insecureEnvironment != null && !insecureEnvironment.equals("0") && !insecureEnvironment.equals("1")) {
      throw new IllegalArgumentException("$RAFTKV_INSECURE is '" + insecureEnvironment + "': expected 1 (plaintext)"
          + " or 0");
    }
    boolean plaintext = insecure || "1".equals(insecureEnvironment);
    if (plaintext) {
      if (cacert != null || cert != null || key != null) {
        throw new IllegalArgumentException("--insecure and " + (cacert != null ? "--cacert" : cert != null ? "--cert"
            : "--key") + " exclude each other: --insecure speaks plaintext");
      }
      return Optional.empty();
    }
    if (ca == null) {
      throw new IllegalArgumentException("--cacert is required: RaftKV speaks TLS unless told --insecure. Give the"
          + " cluster's CA certificate (--cacert FILE or $RAFTKV_CACERT; 'raftkv certs init' writes ca.crt), or"
          + " --insecure for a cluster started with --insecure");
    }
    if ((certificate == null) != (privateKey == null)) {
      throw new IllegalArgumentException(certificate == null ? "--key is given without --cert: give both or neither"
          : "--cert is given without --key: give both or neither");
    }
    return Optional.of(new TlsFiles(certificate == null ? null : Path.of(certificate),
        privateKey == null ? null : Path.of(privateKey), Path.of(ca)));
  }

  private static String flagOrEnvironment(String flag, Map<String, String> environment, String variable) {
    String value = flag != null ? flag : environment.get(variable);
    return value == null || value.isBlank() ? null : value.strip();
  }

  RaftKvClient connect() {
    return connect(System.getenv("RAFTKV_PASSWORD"));
  }

  /**
   * The client: TLS as {@link #tlsFiles} says, calling as --user if given, with its password from the file,
   * {@code passwordFromEnvironment} or a prompt.
   */
  RaftKvClient connect(String passwordFromEnvironment) {
    RaftKvClient.Builder builder = RaftKvClient.builder(endpointList()).deadline(Durations.parse("--timeout", timeout));
    tlsFiles(System.getenv()).ifPresent(builder::tls);
    if (user == null) {
      if (passwordFile != null) {
        throw new IllegalArgumentException("--password-file is given without --user: name the user it is the"
            + " password of");
      }
      return build(builder);
    }
    if (user.isEmpty() || user.length() > 64 || user.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("--user is '" + user + "': a user name is 1 to 64 characters without"
          + " control characters");
    }
    char[] password = new PasswordSource("--password-file", "RAFTKV_PASSWORD").read(passwordFile,
        passwordFromEnvironment, "password of user '" + user + "'", false);
    try {
      return build(builder.credentials(user, password));
    } finally {
      java.util.Arrays.fill(password, '\0');
    }
  }

  /** Runs one call with a client of its own, prints the answer line it returns, and exits OK. */
  int answer(java.util.function.Function<RaftKvClient, String> call) {
    try (RaftKvClient c = connect()) {
      System.out.println(call.apply(c));
      return ExitCodes.OK;
    }
  }

  private static RaftKvClient build(RaftKvClient.Builder builder) {
    try {
      return builder.build();
    } catch (BadTlsFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
