package io.raftkv.connect.config;

import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Reads a failed call to a node for the TLS mismatch behind it, so that validation can point at the option to
 * change: plaintext against a TLS node, TLS against a plaintext one, a node certificate the configured CA did not
 * sign, or a handshake the node refused (a client certificate it does not trust).
 */
final class HandshakeDiagnosis {
  /** What gRPC reports when a TLS server drops a plaintext client's first bytes. */
  private static final String CLOSED_WITHOUT_ANSWER = "Network closed for unknown reason";
  /** Netty's name for a TLS client's complaint that the server's bytes are not TLS. */
  private static final String NOT_TLS_RECORD = "NotSslRecordException";

  private HandshakeDiagnosis() {}

  /** The likely cause of {@code failure} (a call to {@code endpoint}) if it is a TLS mismatch, else empty. */
  static Optional<OptionProblem> diagnose(Throwable failure, String endpoint, SslSettings ssl) {
    String refused = "the RaftKV node at " + endpoint + " refused the connection: ";
    if (!ssl.enabled()) {
      return causeMessages(failure).contains(CLOSED_WITHOUT_ANSWER)
          ? Optional.of(new OptionProblem(RaftKvSslConfig.ENABLED, RaftKvSslConfig.ENABLED + "=false: " + refused
              + "it closed the connection without an answer, as a node serving TLS does to a plaintext client. "
              + "Likely cause: the cluster serves TLS (it was not started with --insecure); set "
              + RaftKvSslConfig.ENABLED + "=true and " + RaftKvSslConfig.CA_LOCATION + " to its CA"))
          : Optional.empty();
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getClass().getSimpleName().equals(NOT_TLS_RECORD)) {
        return Optional.of(new OptionProblem(RaftKvSslConfig.ENABLED, RaftKvSslConfig.ENABLED + "=true: " + refused
            + "it answered the TLS handshake in plaintext. Likely cause: the cluster was started with --insecure;"
            + " set " + RaftKvSslConfig.ENABLED + "=false for it, or restart it with TLS"));
      }
      if (t instanceof CertPathValidatorException || t instanceof CertificateException) {
        return Optional.of(new OptionProblem(RaftKvSslConfig.CA_LOCATION, RaftKvSslConfig.CA_LOCATION + "='"
            + ssl.ca().orElse("") + "': the connector refused the certificate of the RaftKV node at " + endpoint
            + " (" + innermost(t).getMessage() + "). Likely cause: the node's certificate was not signed by this"
            + " CA, or does not name the address " + endpoint));
      }
    }
    if (hasTlsFailure(failure)) {
      String alert = innermost(failure).getMessage();
      return Optional.of(ssl.certificate().isPresent()
          ? new OptionProblem(RaftKvSslConfig.CERTIFICATE_LOCATION, RaftKvSslConfig.CERTIFICATE_LOCATION + "='"
              + ssl.certificate().get() + "': " + refused + "the TLS handshake failed (" + alert + "). Likely "
              + "cause: the cluster does not trust this client certificate (it was signed by a CA other than the "
              + "cluster's)")
          : new OptionProblem(RaftKvSslConfig.CA_LOCATION, RaftKvSslConfig.CA_LOCATION + "='"
              + ssl.ca().orElse("") + "': " + refused + "the TLS handshake failed (" + alert + ")"));
    }
    return Optional.empty();
  }

  private static boolean hasTlsFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t.getClass().getSimpleName().contains("OpenSslException")) {
        return true;
      }
    }
    return false;
  }

  private static String causeMessages(Throwable failure) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      out.append(t.getMessage()).append('\n');
    }
    return out.toString();
  }

  private static Throwable innermost(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
