package io.raftkv.connect.testing;

import com.google.protobuf.ByteString;
import io.raftkv.api.Permission;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.client.RaftKvAuth;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * One Kafka broker with one Connect worker (EmbeddedConnectCluster) and a 3-node RaftKV cluster serving TLS,
 * shared by the tests of one class; each test uses its own topics and connector names.
 */
public final class SinkTestEnvironment implements AutoCloseable {
  /** The RaftKV cluster id the tests see in source partitions and offsets. */
  public static final String CLUSTER_ID = "connect-test";
  public final InProcessCluster raftkv;
  public final EmbeddedConnectCluster connect;

  private SinkTestEnvironment(InProcessCluster raftkv, EmbeddedConnectCluster connect) {
    this.raftkv = raftkv;
    this.connect = connect;
  }

  public static SinkTestEnvironment start(Path root, String name) throws InterruptedException {
    return start(root, name, Map.of());
  }

  /** Starts both clusters; {@code extraWorkerProps} are added to the worker's properties. */
  public static SinkTestEnvironment start(Path root, String name, Map<String, String> extraWorkerProps)
      throws InterruptedException {
    InProcessCluster raftkv = InProcessCluster.builder(root.resolve("raftkv"), 3).clusterId(CLUSTER_ID).tls()
        .startWithLeader();
    Map<String, String> workerProps = new HashMap<>();
    // Commits of consumer offsets often, so the restart tests see both committed and uncommitted progress.
    workerProps.put("offset.flush.interval.ms", "500");
    workerProps.putAll(extraWorkerProps);
    EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name(name).numWorkers(1)
        .numBrokers(1).workerProps(workerProps).build();
    try {
      connect.start();
      connect.assertions().assertAtLeastNumWorkersAreUp(1, "the Connect worker did not start");
    } catch (Exception | AssertionError e) {
      raftkv.close();
      connect.stop();
      throw new IllegalStateException("test environment did not start", e);
    }
    return new SinkTestEnvironment(raftkv, connect);
  }

  /** A sink config reading {@code topics} as strings (key and value), writing to this RaftKV cluster. */
  public Map<String, String> sinkConfig(String... topics) {
    Map<String, String> config = new HashMap<>();
    config.put("connector.class", "io.raftkv.connect.sink.RaftKvSinkConnector");
    config.put("tasks.max", "1");
    config.put("topics", String.join(",", topics));
    config.put("raftkv.endpoints", raftkv.endpoints());
    config.putAll(sslConfig(raftkv));
    config.put("raftkv.request.timeout.ms", "5000");
    config.put("raftkv.retry.backoff.ms", "200");
    config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    return config;
  }

  /** The {@code raftkv.ssl.*} options of a connector that reaches {@code cluster} (a TLS one) as its admin user. */
  public static Map<String, String> sslConfig(InProcessCluster cluster) {
    TlsFiles admin = cluster.certificates().orElseThrow(() -> new IllegalArgumentException("cluster "
        + cluster.clusterId() + " serves plaintext: it has no certificates")).user(InProcessCluster.ADMIN_USER);
    return Map.of("raftkv.ssl.ca.location", admin.trustedCa().toString(),
        "raftkv.ssl.certificate.location", admin.certChain().toString(),
        "raftkv.ssl.key.location", admin.privateKey().toString());
  }

  /** The password of every user {@link #asPasswordUser} makes: distinctive, so tests can assert no message shows it. */
  public static final String TEST_PASSWORD = "pw-Zq8-not-for-logs";

  /**
   * Switches {@code config} from the admin certificate to a password user: creates RaftKV user {@code user} (password
   * {@link #TEST_PASSWORD}) holding a role of its own that grants {@code access} on each of {@code prefixes}, and
   * puts the CA only ({@code raftkv.ssl.ca.location}, no client certificate) and {@code raftkv.auth.*} in the config.
   */
  public static Map<String, String> asPasswordUser(InProcessCluster cluster, Map<String, String> config, String user,
      Permission.Access access, String... prefixes) {
    RaftKvAuth auth = cluster.client().auth();
    String role = user + "-role";
    auth.addRole(role);
    for (String prefix : prefixes) {
      auth.grantPermission(role, Permission.newBuilder().setAccess(access)
          .setPrefix(ByteString.copyFromUtf8(prefix)).build());
    }
    auth.addUser(user, TEST_PASSWORD.toCharArray());
    auth.grantRole(user, role);
    Map<String, String> out = new HashMap<>(config);
    out.remove("raftkv.ssl.certificate.location");
    out.remove("raftkv.ssl.key.location");
    out.put("raftkv.auth.user", user);
    out.put("raftkv.auth.password", TEST_PASSWORD);
    return out;
  }

  /** Creates the connector and waits until its task runs (or, for a task that fails at once, has started). */
  public void startConnector(String name, Map<String, String> config) throws InterruptedException {
    connect.configureConnector(name, config);
    await(Duration.ofSeconds(60), "connector " + name + " starting its task", () -> {
      try {
        List<ConnectorStateInfo.TaskState> tasks = connect.connectorStatus(name).tasks();
        return tasks.size() == 1 && !tasks.get(0).state().equals("UNASSIGNED");
      } catch (RuntimeException e) {
        return false; // no status yet
      }
    });
  }

  /** Produces (key, value) string pairs in order to one partition; a null value is a tombstone. */
  public void produce(String topic, int partition, List<String[]> keyValues) {
    try (KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
      for (String[] kv : keyValues) {
        producer.send(new ProducerRecord<>(topic, partition, bytes(kv[0]), bytes(kv[1])));
      }
      producer.flush();
    }
  }

  private static byte[] bytes(String s) {
    return s == null ? null : s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The end offset of a partition (the offset of its next record). */
  public long endOffset(String topic, int partition) {
    try {
      return connect.kafka().endOffset(new org.apache.kafka.common.TopicPartition(topic, partition));
    } catch (TimeoutException | ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public ConnectorStateInfo.TaskState task(String connector) {
    return connect.connectorStatus(connector).tasks().get(0);
  }

  /** Waits for {@code condition}, failing with {@code what} after {@code timeout}. */
  public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  @Override
  public void close() {
    try {
      connect.stop();
    } finally {
      raftkv.close();
    }
  }
}
