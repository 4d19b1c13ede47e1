package io.raftkv.client;

import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Says what a connection failure means when TLS is the likely cause: gRPC reports a failed handshake or a
 * plaintext/TLS mismatch as a bare "io exception" or "Network closed", which names neither the problem nor the
 * fix.
 */
final class TlsFailures {
  /** How deep a cause chain is searched; gRPC's are a few levels. */
  private static final int MAX_CAUSES = 16;

  private TlsFailures() {}

  /** What went wrong with TLS on the way to {@code endpoint}, if the failure looks like a TLS problem. */
  static Optional<String> describe(String endpoint, Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
      if (cause.getClass().getSimpleName().equals("NotSslRecordException")) {
        return Optional.of("TLS handshake with " + endpoint + " failed: it does not speak TLS (a node started with"
            + " --insecure serves plaintext; speak plaintext to it with --insecure)");
      }
      if (cause instanceof SSLException) {
        return Optional.of("TLS handshake with " + endpoint + " failed: " + deepestMessage(cause) + " (check that"
            + " --cacert is the CA that signed the node's certificate, that the node's certificate names the host"
            + " you dial, and that your own certificate, if any, is the cluster CA's and not expired)");
      }
    }
    String message = String.valueOf(failure.getMessage());
    if (message.contains("Network closed for unknown reason")) {
      return Optional.of("connection to " + endpoint + " was closed at once: if the node serves TLS, this client"
          + " spoke plaintext (give it the cluster's CA: --cacert, or RaftKvClient.Builder.tls)");
    }
    return Optional.empty();
  }

  private static String deepestMessage(Throwable failure) {
    String message = failure.getMessage();
    Throwable cause = failure.getCause();
    for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
      if (cause.getMessage() != null) {
        message = cause.getMessage();
      }
    }
    return message;
  }
}
