package io.raftkv.connect.config;

import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.client.RaftKvClient;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** The options every RaftKV connector (sink or source) needs to reach the cluster. */
public final class RaftKvClusterConfig {
  public static final String GROUP = "RaftKV cluster";

  public static final String ENDPOINTS = "raftkv.endpoints";
  private static final String ENDPOINTS_DOC = "Client addresses of RaftKV nodes, comma-separated host:port "
      + "(e.g. 10.0.0.1:7001,10.0.0.2:7001). Any subset of the nodes will do: the client finds the leader.";

  public static final String REQUEST_TIMEOUT_MS = "raftkv.request.timeout.ms";
  public static final long REQUEST_TIMEOUT_MS_DEFAULT = 10_000;
  private static final String REQUEST_TIMEOUT_MS_DOC = "How long one request to RaftKV may take, retries "
      + "through a leader failover included. A write still unanswered then is handed back to Kafka Connect "
      + "as a retriable error and redelivered (exactly once, see the stored offsets).";

  private RaftKvClusterConfig() {}

  /** Adds the cluster options to {@code def}, first in their group, then the TLS group and the login group. */
  public static ConfigDef define(ConfigDef def) {
    def
        .define(ENDPOINTS, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new EndpointListValidator(),
            ConfigDef.Importance.HIGH, ENDPOINTS_DOC, GROUP, 1, ConfigDef.Width.LONG, "RaftKV endpoints")
        .define(REQUEST_TIMEOUT_MS, ConfigDef.Type.LONG, REQUEST_TIMEOUT_MS_DEFAULT,
            ConfigDef.Range.between(100, 600_000), ConfigDef.Importance.MEDIUM, REQUEST_TIMEOUT_MS_DOC, GROUP, 2,
            ConfigDef.Width.SHORT, "Request timeout (ms)");
    return RaftKvAuthConfig.define(RaftKvSslConfig.define(def));
  }

  public static List<String> endpoints(AbstractConfig config) {
    return RaftKvClient.parseEndpoints(config.getString(ENDPOINTS));
  }

  public static Duration requestTimeout(AbstractConfig config) {
    return Duration.ofMillis(config.getLong(REQUEST_TIMEOUT_MS));
  }

  /**
   * A client for the configured cluster, speaking TLS unless {@code raftkv.ssl.enabled=false}, calling as the
   * password user if {@code raftkv.auth.user} is set; the caller closes it.
   *
   * @throws ConfigException naming the option of a TLS file that cannot be used, or of a missing one, or a login
   *     option without its pair or out of bounds (never showing the password)
   */
  public static RaftKvClient connect(AbstractConfig config) {
    SslSettings ssl = SslSettings.of(config);
    try {
      return client(endpoints(config), requestTimeout(config), ssl, AuthSettings.of(config));
    } catch (BadTlsFileException e) {
      OptionProblem problem = ssl.problemOf(e);
      throw new ConfigException(problem.message());
    }
  }

  /**
   * A client of {@code endpoints} whose calls keep trying for {@code timeout}, with {@code ssl}'s TLS files
   * (checked now), calling as {@code auth}'s password user if it has one.
   *
   * @throws ConfigException naming the option of a missing TLS file, or of a login option at fault
   * @throws BadTlsFileException naming a TLS file that cannot be used and why
   */
  static RaftKvClient client(List<String> endpoints, Duration timeout, SslSettings ssl, AuthSettings auth)
      throws BadTlsFileException {
    RaftKvClient.Builder builder = RaftKvClient.builder(endpoints).deadline(timeout);
    ssl.tlsFiles().ifPresent(builder::tls);
    return auth.applyTo(builder).build();
  }
}
