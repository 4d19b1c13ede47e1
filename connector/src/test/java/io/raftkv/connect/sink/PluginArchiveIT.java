package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.connect.testing.IsolatedRaftKvCluster;
import io.raftkv.connect.testing.SinkTestEnvironment;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin archive that {@code mvn package} builds, unpacked into a worker's plugin.path, loads the sink
 * and the source (found through their ServiceLoader manifests): the sink writes a record to RaftKV and the
 * source emits that write as a change event, both over TLS. This JVM's class path holds neither the
 * connector nor gRPC or protobuf: everything the sink needs must come from the archive's lib folder, gRPC's
 * own service providers (name resolvers, load balancers, the Netty transport) included.
 */
class PluginArchiveIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path root;

  @Test
  void archiveUnpackedIntoPluginPathLoadsBothConnectorsAndARecordFlowsThroughSinkAndSource() throws Exception {
    assertThatThrownBy(() -> Class.forName("io.raftkv.connect.sink.RaftKvSinkConnector"))
        .as("the connector must come from the plugin path only").isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.grpc.NameResolverProvider"))
        .as("gRPC must come from the plugin path only").isInstanceOf(ClassNotFoundException.class);

    Path plugins = root.resolve("plugins");
    unzip(Path.of(System.getProperty("raftkv.plugin.archive")), plugins);
    String version = System.getProperty("raftkv.connect.version");
    Path plugin = plugins.resolve("raftkv-raftkv-connect-" + version);
    assertThat(plugin.resolve("manifest.json")).content().contains("\"version\": \"" + version + "\"");
    assertThat(plugin.resolve("doc/README.md")).exists();
    List<String> jars;
    try (Stream<Path> lib = Files.list(plugin.resolve("lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    assertThat(jars).contains("raftkv-connect-" + version + ".jar", "raftkv-client-" + version + ".jar")
        .anyMatch(j -> j.startsWith("grpc-netty-shaded-"))
        .noneMatch(j -> j.startsWith("connect-api-") || j.startsWith("kafka-clients-") || j.startsWith("slf4j-")
            || j.startsWith("connect-json-"));

    try (IsolatedRaftKvCluster raftkv = IsolatedRaftKvCluster.start(
        Path.of(System.getProperty("raftkv.cluster.classpath")), Path.of(System.getProperty("raftkv.test.classes")),
        root.resolve("raftkv"))) {
      Map<String, String> workerProps = new HashMap<>();
      workerProps.put("plugin.path", plugins.toString());
      workerProps.put("plugin.discovery", "service_load");
      EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name("plugin-archive").numWorkers(1)
          .numBrokers(1).workerProps(workerProps).build();
      connect.start();
      try {
        Response plugins1 = connect.requestGet(connect.endpointForResource("connector-plugins"));
        assertThat(String.valueOf(plugins1.getEntity()))
            .contains("{\"class\":\"io.raftkv.connect.sink.RaftKvSinkConnector\",\"type\":\"sink\",\"version\":\""
                + version + "\"}")
            .contains("{\"class\":\"io.raftkv.connect.source.RaftKvSourceConnector\",\"type\":\"source\","
                + "\"version\":\"" + version + "\"}");

        Map<String, String> config = new HashMap<>();
        config.put("name", "archived-sink");
        config.put("connector.class", "RaftKvSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", "greetings");
        config.put("raftkv.endpoints", raftkv.endpoints());
        config.putAll(raftkv.sslConfig());
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        // validate() asks each node for its status over gRPC from inside the plugin's class loader.
        ConfigInfos validation = connect.validateConnectorConfig("RaftKvSinkConnector", config);
        assertThat(validation.errorCount()).as("validation of %s", validation).isZero();

        connect.kafka().createTopic("greetings", 1);
        connect.configureConnector("archived-sink", config);
        connect.kafka().produce("greetings", "hello", "world");
        SinkTestEnvironment.await(WAIT, "the record in RaftKV", () -> {
          try {
            return "world".equals(raftkv.getUtf8("greetings/hello"));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        assertThat(connect.connectorStatus("archived-sink").tasks().get(0).state()).isEqualTo("RUNNING");

        // The source, from the same archive, emits the sink's write (its stored offset, under __raftkv/, is skipped).
        Map<String, String> source = new HashMap<>();
        source.put("name", "archived-source");
        source.put("connector.class", "RaftKvSourceConnector");
        source.put("tasks.max", "1");
        source.put("raftkv.endpoints", raftkv.endpoints());
        source.putAll(raftkv.sslConfig());
        source.put("topic", "greetings-changes");
        source.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        source.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        source.put("value.converter.schemas.enable", "false");
        ConfigInfos sourceValidation = connect.validateConnectorConfig("RaftKvSourceConnector", source);
        assertThat(sourceValidation.errorCount()).as("validation of %s", sourceValidation).isZero();
        connect.kafka().createTopic("greetings-changes", 1);
        connect.configureConnector("archived-source", source);
        ConsumerRecords<byte[], byte[]> changes = connect.kafka().consume(1, WAIT.toMillis(), "greetings-changes");
        ConsumerRecord<byte[], byte[]> change = changes.iterator().next();
        assertThat(new String(change.key(), StandardCharsets.UTF_8)).isEqualTo("greetings/hello");
        assertThat(new String(change.value(), StandardCharsets.UTF_8)).contains("\"op\":\"r\"")
            .contains("\"after\":{\"key\":\"greetings/hello\",\"value\":\"world\"");
        assertThat(connect.connectorStatus("archived-source").tasks().get(0).state()).isEqualTo("RUNNING");
      } finally {
        connect.stop();
      }
    }
  }

  private static void unzip(Path archive, Path into) throws IOException {
    try (InputStream file = Files.newInputStream(archive); ZipInputStream zip = new ZipInputStream(file)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException("archive entry " + e.getName() + " points outside the folder");
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(zip, target);
        }
      }
    }
  }
}
