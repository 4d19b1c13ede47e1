package io.raftkv.connect.config;

import org.apache.kafka.common.config.ConfigDef;

/**
 * The connectors' TLS options ({@code raftkv.ssl.*}): whether to speak TLS to RaftKV and the PEM files to speak it
 * with, defined once for the sink and the source. An option group of its own, so that other groups of the
 * cluster connection (such as a user's credentials) sit beside it.
 */
public final class RaftKvSslConfig {
  public static final String GROUP = "RaftKV TLS";

  public static final String ENABLED = "raftkv.ssl.enabled";
  private static final String ENABLED_DOC = "Speak TLS (1.3) to RaftKV, checking each node's certificate against "
      + "raftkv.ssl.ca.location. On by default, as RaftKV nodes serve TLS unless started with --insecure; set "
      + "false only for such a plaintext cluster (anyone on the network can then read and rewrite what the "
      + "connector sends).";

  public static final String CA_LOCATION = "raftkv.ssl.ca.location";
  private static final String CA_LOCATION_DOC = "PEM file of the CA that signed the RaftKV nodes' certificates "
      + "(ca.crt from 'raftkv certs init'). Required while raftkv.ssl.enabled is true.";

  public static final String CERTIFICATE_LOCATION = "raftkv.ssl.certificate.location";
  private static final String CERTIFICATE_LOCATION_DOC = "PEM file of the connector's client certificate (chain), "
      + "signed by the cluster's CA; its common name is the RaftKV user the connector acts as. Optional; given "
      + "together with raftkv.ssl.key.location. Renewed files are read again within about a minute.";

  public static final String KEY_LOCATION = "raftkv.ssl.key.location";
  private static final String KEY_LOCATION_DOC = "PEM file of the client certificate's private key, unencrypted "
      + "PKCS#8 ('BEGIN PRIVATE KEY'). Given together with raftkv.ssl.certificate.location.";

  private RaftKvSslConfig() {}

  /** Adds the TLS options to {@code def}, in their own group. */
  public static ConfigDef define(ConfigDef def) {
    return def
        .define(ENABLED, ConfigDef.Type.BOOLEAN, true, ConfigDef.Importance.HIGH, ENABLED_DOC, GROUP, 1,
            ConfigDef.Width.SHORT, "TLS enabled")
        .define(CA_LOCATION, ConfigDef.Type.STRING, null, ConfigDef.Importance.HIGH, CA_LOCATION_DOC, GROUP, 2,
            ConfigDef.Width.LONG, "Cluster CA file")
        .define(CERTIFICATE_LOCATION, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM,
            CERTIFICATE_LOCATION_DOC, GROUP, 3, ConfigDef.Width.LONG, "Client certificate file")
        .define(KEY_LOCATION, ConfigDef.Type.STRING, null, ConfigDef.Importance.MEDIUM, KEY_LOCATION_DOC, GROUP, 4,
            ConfigDef.Width.LONG, "Client key file");
  }
}
