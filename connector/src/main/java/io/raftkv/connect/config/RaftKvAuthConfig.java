package io.raftkv.connect.config;

import org.apache.kafka.common.config.ConfigDef;

/**
 * The connectors' password login options ({@code raftkv.auth.*}): the RaftKV user a connector calls as when it
 * has no client certificate naming one, and that user's password, defined once for the sink and the source.
 */
public final class RaftKvAuthConfig {
  public static final String GROUP = "RaftKV auth";

  public static final String USER = "raftkv.auth.user";
  private static final String USER_DOC = "RaftKV user the connector calls as, authenticated by "
      + "raftkv.auth.password (a token per node, renewed when a node drops it). Empty (the default): no password "
      + "user; the connector is the user its client certificate names (raftkv.ssl.certificate.location), if any. "
      + "1 to 64 characters without control characters; given together with raftkv.auth.password.";

  public static final String PASSWORD = "raftkv.auth.password";
  private static final String PASSWORD_DOC = "Password of raftkv.auth.user, 1 to 1024 bytes of UTF-8. A password "
      + "option: Connect masks it in its logs and validation answers. Connect stores and returns a connector's "
      + "config as submitted, so give it through a worker config provider (e.g. "
      + "${file:/etc/kafka/raftkv-secrets.properties:password}): only that reference is stored.";

  private RaftKvAuthConfig() {}

  /** Adds the login options to {@code def}, in their own group. */
  public static ConfigDef define(ConfigDef def) {
    return def
        .define(USER, ConfigDef.Type.STRING, "", ConfigDef.Importance.HIGH, USER_DOC, GROUP, 1,
            ConfigDef.Width.MEDIUM, "RaftKV user")
        .define(PASSWORD, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.HIGH, PASSWORD_DOC, GROUP, 2,
            ConfigDef.Width.MEDIUM, "RaftKV password");
  }
}
