package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.KeyValue;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.connect.testing.SinkTestEnvironment;
import io.raftkv.testkit.InProcessCluster;
import io.raftkv.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records flow from Kafka topics into a 3-node RaftKV cluster (over TLS; in plaintext to a cluster started
 * insecure) through a real Connect worker, and the worker's REST validate endpoint explains bad configs.
 */
class SinkConnectorTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  static Path root;
  static SinkTestEnvironment env;

  @BeforeAll
  static void start() throws InterruptedException {
    env = SinkTestEnvironment.start(root, "sink-delivery");
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  /** Waits until the sink stored, for each partition of {@code topic}, the offset of its last record. */
  static void awaitAllWritten(String connector, String topic, int partitions) throws InterruptedException {
    for (int p = 0; p < partitions; p++) {
      long last = env.endOffset(topic, p) - 1;
      String key = OffsetStore.NAMESPACE + connector + "/" + topic + "/" + p;
      SinkTestEnvironment.await(WAIT, connector + " writing " + topic + "-" + p + " up to offset " + last,
          () -> env.raftkv.get(key).map(OffsetStore::decode).orElse(-1L) == last);
    }
  }

  @Test
  void recordsProducedToATopicAppearInRaftKvUnderTheTopicPrefix() throws Exception {
    env.connect.kafka().createTopic("orders", 2);
    List<String[]> p0 = new ArrayList<>();
    List<String[]> p1 = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      (i % 2 == 0 ? p0 : p1).add(new String[] {"order-" + i, "value-" + i});
    }
    env.produce("orders", 0, p0);
    env.produce("orders", 1, p1);
    env.startConnector("orders-sink", env.sinkConfig("orders"));
    awaitAllWritten("orders-sink", "orders", 2);

    List<KeyValue> stored = env.raftkv.scan("orders/");
    assertThat(stored).hasSize(300);
    for (int i = 0; i < 300; i++) {
      assertThat(env.raftkv.getUtf8("orders/order-" + i)).isEqualTo("value-" + i);
    }
    assertThat(env.raftkv.get(OffsetStore.NAMESPACE + "orders-sink/orders/0").map(OffsetStore::decode))
        .contains(149L);
  }

  @Test
  void tombstoneDeletesTheKey() throws Exception {
    env.connect.kafka().createTopic("carts", 1);
    env.startConnector("carts-sink", env.sinkConfig("carts"));
    env.produce("carts", 0, List.of(new String[] {"a", "1"}, new String[] {"b", "2"}));
    awaitAllWritten("carts-sink", "carts", 1);
    assertThat(env.raftkv.getUtf8("carts/a")).isEqualTo("1");

    env.produce("carts", 0, List.of(new String[] {"a", null}, new String[] {"c", "3"}));
    awaitAllWritten("carts-sink", "carts", 1);
    assertThat(env.raftkv.get("carts/a")).isEmpty();
    assertThat(env.raftkv.getUtf8("carts/b")).isEqualTo("2");
    assertThat(env.raftkv.getUtf8("carts/c")).isEqualTo("3");
  }

  @Test
  void structsMapsAndNumbersAreWrittenAsCompactJsonWithStableFieldOrder() throws Exception {
    env.connect.kafka().createTopic("json", 1);
    Map<String, String> config = env.sinkConfig("json");
    config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("key.converter.schemas.enable", "true");
    config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
    config.put("value.converter.schemas.enable", "true");
    env.startConnector("json-sink", config);
    String structSchema = "{\"type\":\"struct\",\"fields\":[{\"field\":\"name\",\"type\":\"string\"},"
        + "{\"field\":\"id\",\"type\":\"int32\"},{\"field\":\"tags\",\"type\":\"map\","
        + "\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"boolean\"}}]}";
    env.produce("json", 0, List.of(
        new String[] {key("struct"), "{\"schema\":" + structSchema + ",\"payload\":{\"tags\":{\"z\":true,"
            + "\"a\":false,\"m\":true},\"id\":7,\"name\":\"Ada\"}}"},
        new String[] {key("map"), "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":"
            + "{\"type\":\"int64\"}},\"payload\":{\"zeta\":1,\"alpha\":2,\"mid\":3}}"},
        new String[] {key("list"), "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"double\"}},"
            + "\"payload\":[1.5, 2.0]}"},
        new String[] {key("number"), "{\"schema\":{\"type\":\"int64\"},\"payload\":42}"},
        new String[] {key("flag"), "{\"schema\":{\"type\":\"boolean\"},\"payload\":true}"},
        new String[] {"{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"region\",\"type\":\"string\"},"
            + "{\"field\":\"id\",\"type\":\"int32\"}]},\"payload\":{\"id\":3,\"region\":\"eu\"}}",
            "{\"schema\":{\"type\":\"string\"},\"payload\":\"plain text\"}"}));
    awaitAllWritten("json-sink", "json", 1);

    // Struct fields keep their schema order; map keys are sorted.
    assertThat(env.raftkv.getUtf8("json/struct")).isEqualTo("{\"name\":\"Ada\",\"id\":7,\"tags\":{\"a\":false,"
        + "\"m\":true,\"z\":true}}");
    assertThat(env.raftkv.getUtf8("json/map")).isEqualTo("{\"alpha\":2,\"mid\":3,\"zeta\":1}");
    assertThat(env.raftkv.getUtf8("json/list")).isEqualTo("[1.5,2.0]");
    assertThat(env.raftkv.getUtf8("json/number")).isEqualTo("42");
    assertThat(env.raftkv.getUtf8("json/flag")).isEqualTo("true");
    assertThat(env.raftkv.getUtf8("json/{\"region\":\"eu\",\"id\":3}")).isEqualTo("plain text");
  }

  private static String key(String s) {
    return "{\"schema\":{\"type\":\"string\"},\"payload\":\"" + s + "\"}";
  }

  @Test
  void eachTopicWritesUnderItsOwnPrefix() throws Exception {
    for (String t : List.of("alpha", "beta", "gamma")) {
      env.connect.kafka().createTopic(t, 1);
      env.produce(t, 0, List.<String[]>of(new String[] {"k", "from-" + t}));
    }
    Map<String, String> config = env.sinkConfig("alpha", "beta", "gamma");
    config.put("key.prefix", "tables/${topic}:");
    config.put("key.prefix.overrides", "gamma=g/");
    env.startConnector("prefix-sink", config);
    for (String t : List.of("alpha", "beta", "gamma")) {
      awaitAllWritten("prefix-sink", t, 1);
    }
    assertThat(env.raftkv.getUtf8("tables/alpha:k")).isEqualTo("from-alpha");
    assertThat(env.raftkv.getUtf8("tables/beta:k")).isEqualTo("from-beta");
    assertThat(env.raftkv.getUtf8("g/k")).isEqualTo("from-gamma");
    assertThat(env.raftkv.get("tables/gamma:k")).isEqualTo(Optional.empty());
  }

  @Test
  void batchOverTheWriteLimitIsSplitIntoSeveralWritesEachWithinIt() throws Exception {
    env.connect.kafka().createTopic("split", 1);
    List<String[]> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      records.add(new String[] {"k" + i, "v" + i});
    }
    env.produce("split", 0, records);
    Map<String, String> config = env.sinkConfig("split");
    config.put("raftkv.write.max.ops", "10");
    env.startConnector("split-sink", config);
    awaitAllWritten("split-sink", "split", 1);

    Map<Long, Integer> recordsPerWrite = new java.util.TreeMap<>();
    for (KeyValue kv : env.raftkv.scan("split/")) {
      recordsPerWrite.merge(kv.getVersion(), 1, Integer::sum);
    }
    assertThat(recordsPerWrite.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
    // 9 records and the stored offset per write.
    assertThat(recordsPerWrite.values()).allMatch(n -> n <= 9);
    assertThat(recordsPerWrite).hasSizeGreaterThanOrEqualTo(23);
  }

  /** One bad config: the options changed from a good one, the option that must get the error, and its words. */
  record BadConfig(Map<String, String> changes, String option, String message) {}

  private static String unusedAddress() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  @Test
  void restValidateNamesEachBadOptionItsValueAndWhatIsAllowed() throws Exception {
    String unreachable = unusedAddress();
    List<BadConfig> table = List.of(
        new BadConfig(Map.of("raftkv.endpoints", "localhost"), "raftkv.endpoints",
            "'localhost' is not an address: expected host:port"),
        new BadConfig(Map.of("raftkv.endpoints", "127.0.0.1:7001,h:99999"), "raftkv.endpoints",
            "'h:99999' has port 99999: expected 1-65535"),
        new BadConfig(Map.of("raftkv.endpoints", " , "), "raftkv.endpoints", "no address given"),
        new BadConfig(Map.of("raftkv.endpoints", unreachable), "raftkv.endpoints",
            "no RaftKV node answered within 5000 ms at " + unreachable),
        new BadConfig(Map.of("raftkv.request.timeout.ms", "5"), "raftkv.request.timeout.ms",
            "Value must be at least 100"),
        new BadConfig(Map.of("raftkv.request.timeout.ms", "soon"), "raftkv.request.timeout.ms",
            "Invalid value soon for configuration raftkv.request.timeout.ms"),
        new BadConfig(Map.of("key.prefix", "${table}/"), "key.prefix",
            "'${table}/' has a placeholder other than ${topic}"),
        new BadConfig(Map.of("key.prefix", "__raftkv/mine/"), "key.prefix",
            "starts with __raftkv/, which is reserved"),
        new BadConfig(Map.of("key.prefix.overrides", "a"), "key.prefix.overrides",
            "entry 'a' has no '=': expected topic=prefix"),
        new BadConfig(Map.of("key.prefix.overrides", "a=x/,a=y/"), "key.prefix.overrides",
            "topic 'a' is listed twice"),
        new BadConfig(Map.of("key.prefix.overrides", "c=x/"), "key.prefix.overrides",
            "names topic 'c', which is not in topics [a, b]"),
        new BadConfig(Map.of("key.prefix", "all/"), "key.prefix",
            "topics 'a' and 'b' get prefixes 'all/' and 'all/', so their keys could mix"),
        new BadConfig(Map.of("key.prefix.overrides", "b=a/x"), "key.prefix.overrides",
            "topics 'a' and 'b' get prefixes 'a/' and 'a/x', so their keys could mix"),
        new BadConfig(Map.of("raftkv.write.max.bytes", "100000"), "raftkv.write.max.bytes",
            "raftkv.write.max.bytes=100000 cannot hold one record with the longest key"),
        new BadConfig(Map.of("raftkv.write.max.ops", "1"), "raftkv.write.max.ops", "Value must be at least 2"));

    Map<String, String> good = env.sinkConfig("a", "b");
    good.put("name", "validated-sink");
    assertThat(errors(good)).as("a good config").isEmpty();
    for (BadConfig bad : table) {
      Map<String, String> config = new java.util.HashMap<>(good);
      config.putAll(bad.changes());
      Map<String, List<String>> errors = errors(config);
      assertThat(errors).as("errors for %s", bad.changes()).containsOnlyKeys(bad.option());
      assertThat(errors.get(bad.option())).as("errors for %s", bad.changes())
          .anySatisfy(m -> assertThat(m).contains(bad.message()));
    }

    Map<String, String> regex = new java.util.HashMap<>(good);
    regex.remove("topics");
    regex.put("topics.regex", "events-.*");
    regex.put("key.prefix", "events/");
    assertThat(errors(regex).get("key.prefix")).singleElement().asString()
        .contains("gives every topic matching topics.regex the same prefix");
  }

  @Test
  void restValidateNamesTheTlsOptionAtFaultWithTheFileOrTheLikelyCause() throws Exception {
    TestCertificates certificates = env.raftkv.certificates().orElseThrow();
    TlsFiles admin = certificates.user(InProcessCluster.ADMIN_USER);
    TlsFiles expired = certificates.expiredUser("late");
    TestCertificates foreign = TestCertificates.create(root.resolve("foreign-ca"), SinkTestEnvironment.CLUSTER_ID);
    TlsFiles stranger = foreign.user(InProcessCluster.ADMIN_USER);
    Path missing = root.resolve("no-such-ca.crt");
    Path notPem = Files.writeString(root.resolve("notes.txt"), "these are not certificates\n");
    Path bothCas = Files.writeString(root.resolve("both-cas.crt"), Files.readString(certificates.caCertificate())
        + Files.readString(foreign.caCertificate()));
    List<BadConfig> table = List.of(
        new BadConfig(Map.of("raftkv.ssl.ca.location", missing.toString()), "raftkv.ssl.ca.location",
            "raftkv.ssl.ca.location='" + missing + "': trusted CA " + missing + ": missing (no such file)"),
        new BadConfig(Map.of("raftkv.ssl.ca.location", root.toString()), "raftkv.ssl.ca.location",
            "trusted CA " + root + ": is a directory, not a file"),
        new BadConfig(Map.of("raftkv.ssl.ca.location", notPem.toString()), "raftkv.ssl.ca.location",
            "trusted CA " + notPem + ": not a PEM certificate file"),
        new BadConfig(Map.of("raftkv.ssl.key.location", admin.certChain().toString()), "raftkv.ssl.key.location",
            "private key " + admin.certChain() + ": a PEM '-----BEGIN CERTIFICATE-----' block, but only an "
                + "unencrypted PKCS#8 key"),
        new BadConfig(Map.of("raftkv.ssl.certificate.location", expired.certChain().toString(),
            "raftkv.ssl.key.location", expired.privateKey().toString()), "raftkv.ssl.certificate.location",
            "certificate " + expired.certChain() + ": certificate CN=late expired at"),
        new BadConfig(Map.of("raftkv.ssl.key.location", ""), "raftkv.ssl.key.location",
            "raftkv.ssl.certificate.location is set ('" + admin.certChain() + "') but raftkv.ssl.key.location is "
                + "not: a client certificate needs its private key"),
        new BadConfig(Map.of("raftkv.ssl.certificate.location", ""), "raftkv.ssl.certificate.location",
            "raftkv.ssl.key.location is set ('" + admin.privateKey() + "') but raftkv.ssl.certificate.location is "
                + "not: a private key needs the client certificate it belongs to"),
        new BadConfig(Map.of("raftkv.ssl.ca.location", ""), "raftkv.ssl.ca.location",
            "raftkv.ssl.enabled is true (the default) but no CA is given"),
        new BadConfig(Map.of("raftkv.ssl.certificate.location", stranger.certChain().toString(),
            "raftkv.ssl.key.location", stranger.privateKey().toString()), "raftkv.ssl.certificate.location",
            "certificate " + stranger.certChain() + ": not signed by the trusted CA in "
                + certificates.caCertificate()),
        // The cluster refuses: plaintext against TLS, a node certificate of another CA, a client certificate of
        // another CA (trusted by the connector, not by the cluster).
        new BadConfig(Map.of("raftkv.ssl.enabled", "false"), "raftkv.ssl.enabled",
            "refused the connection: it closed the connection without an answer, as a node serving TLS does to a "
                + "plaintext client. Likely cause: the cluster serves TLS"),
        new BadConfig(Map.of("raftkv.ssl.ca.location", foreign.caCertificate().toString(),
            "raftkv.ssl.certificate.location", "", "raftkv.ssl.key.location", ""), "raftkv.ssl.ca.location",
            "the connector refused the certificate of the RaftKV node at "),
        new BadConfig(Map.of("raftkv.ssl.ca.location", bothCas.toString(),
            "raftkv.ssl.certificate.location", stranger.certChain().toString(),
            "raftkv.ssl.key.location", stranger.privateKey().toString()), "raftkv.ssl.certificate.location",
            "refused the connection: the TLS handshake failed"));

    Map<String, String> good = env.sinkConfig("a");
    good.put("name", "validated-tls-sink");
    assertThat(errors(good)).as("a good config").isEmpty();
    for (BadConfig bad : table) {
      Map<String, String> config = new java.util.HashMap<>(good);
      config.putAll(bad.changes());
      Map<String, List<String>> errors = errors(config);
      assertThat(errors).as("errors for %s", bad.changes()).containsOnlyKeys(bad.option());
      assertThat(errors.get(bad.option())).as("errors for %s", bad.changes())
          .anySatisfy(m -> assertThat(m).contains(bad.message()));
    }
  }

  @Test
  void withTlsOffTheSinkWritesToAClusterStartedInsecureAndTlsOnIsRefusedThere() throws Exception {
    try (InProcessCluster insecure = InProcessCluster.builder(root.resolve("insecure"), 1)
        .clusterId(SinkTestEnvironment.CLUSTER_ID).startWithLeader()) {
      env.connect.kafka().createTopic("plain", 1);
      env.produce("plain", 0, List.<String[]>of(new String[] {"k", "in the clear"}));
      Map<String, String> config = env.sinkConfig("plain");
      config.put("raftkv.endpoints", insecure.endpoints());
      config.put("name", "plain-sink");
      assertThat(errors(config).get("raftkv.ssl.enabled")).as("TLS against a plaintext node").singleElement()
          .asString().contains("refused the connection: it answered the TLS handshake in plaintext. Likely cause: "
              + "the cluster was started with --insecure; set raftkv.ssl.enabled=false");

      config.keySet().removeIf(option -> option.startsWith("raftkv.ssl."));
      config.put("raftkv.ssl.enabled", "false");
      assertThat(errors(config)).isEmpty();
      env.startConnector("plain-sink", config);
      SinkTestEnvironment.await(WAIT, "the record in the insecure cluster",
          () -> insecure.get("plain/k").isPresent());
      assertThat(insecure.getUtf8("plain/k")).isEqualTo("in the clear");
      env.connect.deleteConnector("plain-sink");
    }
  }

  @Test
  void theExampleConfigInDeployValidatesWithOnlyTheTopicsEndpointsAndCertificatesChanged() throws Exception {
    com.fasterxml.jackson.databind.JsonNode file = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        Path.of(System.getProperty("user.dir"), "..", "deploy", "connectors", "raftkv-sink.json").toFile());
    Map<String, String> config = new java.util.HashMap<>();
    file.get("config").properties().forEach(e -> config.put(e.getKey(), e.getValue().asText()));
    // What every user changes: their own topic, their cluster's address and its certificates.
    config.put("topics", "payments");
    config.put("raftkv.endpoints", env.raftkv.endpoints());
    config.putAll(SinkTestEnvironment.sslConfig(env.raftkv));
    config.put("name", file.get("name").asText());
    assertThat(errors(config)).isEmpty();
  }

  /** The options with errors and their messages, as the worker's REST validate endpoint answers. */
  private static Map<String, List<String>> errors(Map<String, String> config) {
    ConfigInfos infos = env.connect.validateConnectorConfig("RaftKvSinkConnector", config);
    Map<String, List<String>> out = new java.util.TreeMap<>();
    for (ConfigInfo info : infos.configs()) {
      if (!info.configValue().errors().isEmpty()) {
        out.put(info.configValue().name(), info.configValue().errors());
      }
    }
    assertThat(infos.errorCount()).isEqualTo(out.values().stream().mapToInt(List::size).sum());
    return out;
  }
}
