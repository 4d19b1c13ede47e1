package io.raftkv.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.Permission;
import io.raftkv.connect.sink.OffsetStore;
import io.raftkv.connect.testing.SinkTestEnvironment;
import io.raftkv.connect.testing.SourceTestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connectors as password users of a TLS cluster with authentication on, through a real Connect worker: the
 * validate endpoint names the raftkv.auth.* (or permission) problem on its option and never shows the password, a
 * sink whose user may not write fails naming PERMISSION_DENIED, the user and the key, and a password given through
 * a worker config provider works and stays out of the connector's config as the REST API returns it.
 */
class ConnectorAuthTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String PASSWORD = SinkTestEnvironment.TEST_PASSWORD;

  @TempDir
  static Path root;
  static SinkTestEnvironment env;

  @BeforeAll
  static void start() throws InterruptedException {
    env = SinkTestEnvironment.start(root, "connector-auth", Map.of("config.providers", "file",
        "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider"));
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  private record BadConfig(Map<String, String> changes, String option, String message) {}

  @Test
  void sinkValidateNamesTheAuthOptionAtFaultAndNeverShowsThePassword() throws Exception {
    Map<String, String> good = SinkTestEnvironment.asPasswordUser(env.raftkv, env.sinkConfig("a"), "auth-writer",
        Permission.Access.READWRITE, "a/", OffsetStore.NAMESPACE);
    good.put("name", "validated-auth-sink");
    SinkTestEnvironment.asPasswordUser(env.raftkv, good, "auth-stranger", Permission.Access.READWRITE, "other/");
    List<BadConfig> table = List.of(
        new BadConfig(Map.of("raftkv.auth.password", ""), "raftkv.auth.password",
            "raftkv.auth.user is set ('auth-writer') but raftkv.auth.password is not"),
        new BadConfig(Map.of("raftkv.auth.user", ""), "raftkv.auth.user",
            "raftkv.auth.password is set but raftkv.auth.user is not"),
        new BadConfig(Map.of("raftkv.auth.user", "u".repeat(65)), "raftkv.auth.user",
            "a user name is 1 to 64 characters without control characters"),
        new BadConfig(Map.of("raftkv.auth.password", PASSWORD.repeat(60)), "raftkv.auth.password",
            "raftkv.auth.password is " + PASSWORD.length() * 60 + " bytes (UTF-8): a password is 1 to 1024 bytes"),
        new BadConfig(Map.of("raftkv.auth.password", "wrong-" + PASSWORD), "raftkv.auth.password",
            "refused user 'auth-writer' with the password given (UNAUTHENTICATED: authentication failed for user "
                + "'auth-writer': no such user with a password, or a wrong password): check raftkv.auth.user and "
                + "raftkv.auth.password"),
        new BadConfig(Map.of("raftkv.auth.user", "nobody-here"), "raftkv.auth.password",
            "refused user 'nobody-here' with the password given (UNAUTHENTICATED: "),
        new BadConfig(Map.of("raftkv.auth.user", "auth-stranger"), "raftkv.auth.user",
            "user 'auth-stranger' (roles: auth-stranger-role) may not read the keys of topic 'a' (prefix 'a/', "
                + "key.prefix), and the connector needs readwrite there (PERMISSION_DENIED: user 'auth-stranger' "
                + "may not scan keys"));

    assertThat(errors("RaftKvSinkConnector", good)).as("a good config").isEmpty();
    for (BadConfig bad : table) {
      Map<String, String> config = new HashMap<>(good);
      config.putAll(bad.changes());
      Map<String, List<String>> errors = errors("RaftKvSinkConnector", config);
      assertThat(errors).as("errors for %s", bad.changes().keySet()).containsOnlyKeys(bad.option());
      assertThat(errors.get(bad.option())).as("errors for %s", bad.changes().keySet())
          .anySatisfy(m -> assertThat(m).contains(bad.message()));
    }

    Map<String, String> nobody = new HashMap<>(good);
    nobody.remove("raftkv.auth.user");
    nobody.remove("raftkv.auth.password");
    assertThat(errors("RaftKvSinkConnector", nobody)).as("no certificate and no password user")
        .containsOnlyKeys("raftkv.auth.user").extractingByKey("raftkv.auth.user").asList().singleElement()
        .asString().contains("the RaftKV cluster enforces authentication and this connector calls as no user: "
            + "the cluster needs a user, either a client certificate (raftkv.ssl.certificate.location and "
            + "raftkv.ssl.key.location, its common name is the user) or raftkv.auth.user and raftkv.auth.password");
  }

  @Test
  void sourceValidateRefusesAUserThatMayNotReadTheWatchedPrefix() throws Exception {
    Map<String, String> base = sourceConfig("watched/");
    Map<String, String> good = SinkTestEnvironment.asPasswordUser(env.raftkv, base, "auth-watcher",
        Permission.Access.READ, "watched/");
    assertThat(errors("RaftKvSourceConnector", good)).as("a reader of the prefix").isEmpty();

    Map<String, String> elsewhere = SinkTestEnvironment.asPasswordUser(env.raftkv, base, "auth-elsewhere",
        Permission.Access.READ, "watch/", "watched/x/");
    assertThat(errors("RaftKvSourceConnector", elsewhere)).containsOnlyKeys("raftkv.auth.user")
        .extractingByKey("raftkv.auth.user").asList().singleElement().asString()
        .contains("user 'auth-elsewhere' (roles: auth-elsewhere-role) may not read the keys it watches (prefix "
            + "'watched/', raftkv.key.prefix), and the connector needs read there (PERMISSION_DENIED: ");

    Map<String, String> wrong = new HashMap<>(good);
    wrong.put("raftkv.auth.password", PASSWORD + "-not");
    assertThat(errors("RaftKvSourceConnector", wrong)).containsOnlyKeys("raftkv.auth.password")
        .extractingByKey("raftkv.auth.password").asList().singleElement().asString()
        .contains("refused user 'auth-watcher' with the password given");
  }

  @Test
  void sinkWhoseUserMayOnlyReadItsPrefixFailsAtItsFirstWriteNamingTheRefusalTheUserAndTheKey() throws Exception {
    env.connect.kafka().createTopic("ro", 1);
    Map<String, String> config = SinkTestEnvironment.asPasswordUser(env.raftkv, env.sinkConfig("ro"), "auth-reader",
        Permission.Access.READ, "ro/", OffsetStore.NAMESPACE);
    config.put("name", "read-only-sink");
    // Validation cannot tell read from readwrite without writing: it passes, and the task fails at its first write.
    assertThat(errors("RaftKvSinkConnector", config)).isEmpty();
    env.startConnector("read-only-sink", config);
    env.produce("ro", 0, List.<String[]>of(new String[] {"k", "v"}));
    SinkTestEnvironment.await(WAIT, "the read-only sink's task failing",
        () -> "FAILED".equals(env.task("read-only-sink").state()));
    assertThat(env.task("read-only-sink").trace()).contains("PERMISSION_DENIED: user 'auth-reader' may not write "
        + "key 'ro/k': it needs readwrite on it (roles: auth-reader-role)").doesNotContain(PASSWORD);
    assertThat(env.raftkv.get("ro/k")).isEmpty();
    env.connect.deleteConnector("read-only-sink");
  }

  @Test
  void passwordFromAWorkerConfigProviderWorksAndTheRestApiNeverShowsIt() throws Exception {
    env.connect.kafka().createTopic("prov", 1);
    Path secrets = Files.writeString(root.resolve("raftkv-secrets.properties"), "password=" + PASSWORD + "\n");
    Map<String, String> config = SinkTestEnvironment.asPasswordUser(env.raftkv, env.sinkConfig("prov"),
        "auth-provided", Permission.Access.READWRITE, "prov/", OffsetStore.NAMESPACE);
    config.put("raftkv.auth.password", "${file:" + secrets + ":password}");
    env.startConnector("provided-sink", config);
    env.produce("prov", 0, List.<String[]>of(new String[] {"k", "through the provider"}));
    SinkTestEnvironment.await(WAIT, "the record written as the provided user", () -> env.raftkv.get("prov/k")
        .isPresent());
    assertThat(env.raftkv.getUtf8("prov/k")).isEqualTo("through the provider");
    assertThat(env.connect.connectorInfo("provided-sink").config().get("raftkv.auth.password"))
        .isEqualTo("${file:" + secrets + ":password}");
    assertThat(env.connect.connectorInfo("provided-sink").config().toString()).doesNotContain(PASSWORD);

    Map<String, String> literal = new HashMap<>(config);
    literal.put("raftkv.auth.password", PASSWORD);
    literal.put("name", "literal-sink");
    ConfigInfos infos = env.connect.validateConnectorConfig("RaftKvSinkConnector", literal);
    assertThat(infos.configs()).filteredOn(info -> info.configValue().name().equals("raftkv.auth.password"))
        .singleElement().satisfies(info -> assertThat(info.configValue().value()).isEqualTo("[hidden]"));
    env.connect.deleteConnector("provided-sink");
  }

  private static Map<String, String> sourceConfig(String prefix) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", "io.raftkv.connect.source.RaftKvSourceConnector");
    config.put("name", "validated-auth-source");
    config.put("raftkv.endpoints", env.raftkv.endpoints());
    config.putAll(SinkTestEnvironment.sslConfig(env.raftkv));
    config.put("raftkv.key.prefix", prefix);
    config.put("topic", "auth-changes");
    return config;
  }

  /**
   * The options with errors and their messages, as the worker's REST validate endpoint answers; asserts that no
   * part of the answer shows the password.
   */
  private static Map<String, List<String>> errors(String connector, Map<String, String> config) {
    ConfigInfos infos = env.connect.validateConnectorConfig(connector, config);
    Map<String, List<String>> out = new TreeMap<>();
    for (ConfigInfo info : infos.configs()) {
      assertThat(String.valueOf(info.configValue().value())).as("value of %s", info.configValue().name())
          .doesNotContain(PASSWORD);
      assertThat(info.configValue().errors()).as("errors of %s", info.configValue().name())
          .allSatisfy(m -> assertThat(m).doesNotContain(PASSWORD));
      if (!info.configValue().errors().isEmpty()) {
        out.put(info.configValue().name(), info.configValue().errors());
      }
    }
    assertThat(infos.errorCount()).isEqualTo(out.values().stream().mapToInt(List::size).sum());
    return out;
  }
}
