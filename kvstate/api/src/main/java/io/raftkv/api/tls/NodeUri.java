package io.raftkv.api.tls;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's name in its certificate: the URI subject alternative name {@code raftkv://CLUSTER/node/ID}. A URI SAN
 * rather than the common name, because the common name is the user on client certificates, and a URI names the
 * cluster and the id together so that a certificate for one cluster cannot pose as a member of another.
 */
public record NodeUri(String clusterId, long nodeId) {
  /** The scheme of every node URI. */
  public static final String SCHEME = "raftkv";
  /** What a cluster id in a certificate may be: it is a URI host, so a plain DNS-label-like word. */
  public static final String CLUSTER_ID_RULE = "1 to 63 letters, digits, '-' or '_', starting with a letter or digit";

  private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final Pattern URI = Pattern.compile(SCHEME + "://([^/]{1,63})/node/([0-9]{1,19})");

  public NodeUri {
    if (clusterId == null || !CLUSTER_ID.matcher(clusterId).matches()) {
      throw new IllegalArgumentException("cluster id '" + clusterId + "' cannot go in a certificate: it must be "
          + CLUSTER_ID_RULE);
    }
    if (nodeId <= 0) {
      throw new IllegalArgumentException("node id " + nodeId + " cannot go in a certificate: it must be positive");
    }
  }

  /** The URI as it appears in the certificate. */
  public String uri() {
    return SCHEME + "://" + clusterId + "/node/" + nodeId;
  }

  /** Reads a URI SAN; refuses, naming the value, anything but {@code raftkv://CLUSTER/node/ID}. */
  public static NodeUri parse(String uri) {
    Matcher m = URI.matcher(uri == null ? "" : uri);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + abbreviate(uri) + "' is not a node URI (" + SCHEME
          + "://CLUSTER/node/ID)");
    }
    long id;
    try {
      id = Long.parseLong(m.group(2));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("node id in '" + abbreviate(uri) + "' is out of range");
    }
    return new NodeUri(m.group(1), id);
  }

  static boolean looksLikeNodeUri(String uri) {
    return uri != null && uri.startsWith(SCHEME + "://");
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 100 ? s : s.substring(0, 100) + "...";
  }

  @Override
  public String toString() {
    return uri();
  }
}
