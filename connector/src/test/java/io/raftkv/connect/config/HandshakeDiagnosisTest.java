package io.raftkv.connect.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * Which failures read as a TLS mismatch, on which option. The real handshakes behind each are in
 * SinkConnectorTest's validation tests; these pin the rules, the failures that are not a mismatch included.
 */
class HandshakeDiagnosisTest {
  private static final SslSettings TLS_WITH_CERTIFICATE = new SslSettings(true, Optional.of("/c/ca.crt"),
      Optional.of("/c/admin.crt"), Optional.of("/c/admin.key"));
  private static final SslSettings TLS_TRUST_ONLY = new SslSettings(true, Optional.of("/c/ca.crt"), Optional.empty(),
      Optional.empty());
  private static final SslSettings PLAINTEXT = new SslSettings(false, Optional.empty(), Optional.empty(),
      Optional.empty());

  private static RuntimeException unavailable(String message, Throwable cause) {
    return new RuntimeException("UNAVAILABLE: " + message, cause);
  }

  @Test
  void aNodeThatCannotBeReachedIsNoTlsMismatch() {
    RuntimeException refused = unavailable("io exception", new ConnectException("Connection refused"));
    assertThat(HandshakeDiagnosis.diagnose(refused, "h:1", TLS_WITH_CERTIFICATE)).isEmpty();
    assertThat(HandshakeDiagnosis.diagnose(refused, "h:1", PLAINTEXT)).isEmpty();
    RuntimeException late = new RuntimeException("DEADLINE_EXCEEDED: deadline exceeded after 4.9s");
    assertThat(HandshakeDiagnosis.diagnose(late, "h:1", TLS_WITH_CERTIFICATE)).isEmpty();
  }

  @Test
  void aPlaintextClientDroppedWithoutAnswerIsToldTheClusterServesTls() {
    Optional<OptionProblem> problem = HandshakeDiagnosis.diagnose(
        unavailable("Network closed for unknown reason", null), "h:1", PLAINTEXT);
    assertThat(problem).hasValueSatisfying(p -> {
      assertThat(p.option()).isEqualTo("raftkv.ssl.enabled");
      assertThat(p.message()).startsWith("raftkv.ssl.enabled=false: the RaftKV node at h:1 refused the connection")
          .contains("set raftkv.ssl.enabled=true and raftkv.ssl.ca.location to its CA");
    });
  }

  @Test
  void aNodeCertificateTheCaRefusesIsAProblemOfTheCaOption() {
    RuntimeException failure = unavailable("io exception", new SSLHandshakeException("General OpenSslEngine problem"));
    failure.getCause().initCause(new CertificateException("Path does not chain with any of the trust anchors"));
    assertThat(HandshakeDiagnosis.diagnose(failure, "h:1", TLS_WITH_CERTIFICATE)).hasValueSatisfying(p -> {
      assertThat(p.option()).isEqualTo("raftkv.ssl.ca.location");
      assertThat(p.message()).contains("refused the certificate of the RaftKV node at h:1 (Path does not chain");
    });
  }

  @Test
  void aHandshakeTheNodeRefusedIsBlamedOnTheClientCertificateIfOneWasPresented() {
    RuntimeException alert = unavailable("ssl exception", new SSLHandshakeException("TLSV1_ALERT_INTERNAL_ERROR"));
    assertThat(HandshakeDiagnosis.diagnose(alert, "h:1", TLS_WITH_CERTIFICATE).map(OptionProblem::option))
        .contains("raftkv.ssl.certificate.location");
    assertThat(HandshakeDiagnosis.diagnose(alert, "h:1", TLS_TRUST_ONLY).map(OptionProblem::option))
        .contains("raftkv.ssl.ca.location");
  }
}
