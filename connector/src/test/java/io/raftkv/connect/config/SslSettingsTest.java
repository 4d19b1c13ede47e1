package io.raftkv.connect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.connect.sink.RaftKvSinkConnector;
import io.raftkv.connect.source.RaftKvSourceConnector;
import io.raftkv.testkit.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connectors' raftkv.ssl.* options: secure by default, files in pairs, and each problem on its option. */
class SslSettingsTest {
  @TempDir
  Path dir;

  private static RaftKvSinkConfig sink(Map<String, String> ssl) {
    Map<String, String> props = new HashMap<>(ssl);
    props.put("name", "s");
    props.put("raftkv.endpoints", "127.0.0.1:7001");
    return new RaftKvSinkConfig(props);
  }

  @Test
  void tlsIsOnByDefaultAndThenNeedsTheClusterCa() {
    SslSettings ssl = SslSettings.of(sink(Map.of()));
    assertThat(ssl.enabled()).isTrue();
    assertThat(ssl.problems()).singleElement().satisfies(p -> {
      assertThat(p.option()).isEqualTo("raftkv.ssl.ca.location");
      assertThat(p.message()).contains("raftkv.ssl.enabled is true (the default) but no CA is given")
          .contains("raftkv.ssl.enabled=false for a cluster started with --insecure");
    });
    assertThatThrownBy(ssl::tlsFiles).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("raftkv.ssl.ca.location: ");
  }

  @Test
  void bothConnectorsRefuseToStartWithTlsOnAndNoCaNamingTheOption() {
    Map<String, String> sink = Map.of("name", "s", "raftkv.endpoints", "127.0.0.1:7001", "topics", "t");
    assertThatThrownBy(() -> new RaftKvSinkConnector().start(sink)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("raftkv.ssl.ca.location: raftkv.ssl.enabled is true (the default) but no CA");
    Map<String, String> source = Map.of("name", "s", "raftkv.endpoints", "127.0.0.1:7001", "topic", "t",
        "raftkv.ssl.ca.location", "/certs/ca.crt", "raftkv.ssl.key.location", "/certs/admin.key");
    assertThatThrownBy(() -> new RaftKvSourceConnector().start(source)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("raftkv.ssl.certificate.location: raftkv.ssl.key.location is set");
  }

  @Test
  void aCaAloneChecksTheNodesWithoutAClientCertificate() {
    SslSettings ssl = SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", "/certs/ca.crt")));
    assertThat(ssl.problems()).isEmpty();
    assertThat(ssl.tlsFiles()).contains(TlsFiles.trustOnly(Path.of("/certs/ca.crt")));
  }

  @Test
  void aCertificateAndKeyGiveTheClientItsIdentity() {
    SslSettings ssl = SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", "/certs/ca.crt",
        "raftkv.ssl.certificate.location", "/certs/admin.crt", "raftkv.ssl.key.location", "/certs/admin.key")));
    assertThat(ssl.tlsFiles()).contains(new TlsFiles(Path.of("/certs/admin.crt"), Path.of("/certs/admin.key"),
        Path.of("/certs/ca.crt")));
  }

  @Test
  void aCertificateWithoutKeyIsAProblemOfTheKeyOptionAndTheReverse() {
    assertThat(SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", "/certs/ca.crt",
        "raftkv.ssl.certificate.location", "/certs/admin.crt"))).problems())
        .containsExactly(new OptionProblem("raftkv.ssl.key.location", "raftkv.ssl.certificate.location is set "
            + "('/certs/admin.crt') but raftkv.ssl.key.location is not: a client certificate needs its private key"));
    assertThat(SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", "/certs/ca.crt",
        "raftkv.ssl.key.location", "/certs/admin.key"))).problems())
        .containsExactly(new OptionProblem("raftkv.ssl.certificate.location", "raftkv.ssl.key.location is set "
            + "('/certs/admin.key') but raftkv.ssl.certificate.location is not: a private key needs the client "
            + "certificate it belongs to"));
  }

  @Test
  void blankLocationsCountAsNotSet() {
    SslSettings ssl = SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", "/certs/ca.crt",
        "raftkv.ssl.certificate.location", " ", "raftkv.ssl.key.location", "")));
    assertThat(ssl.certificate()).isEmpty();
    assertThat(ssl.key()).isEmpty();
    assertThat(ssl.problems()).isEmpty();
  }

  @Test
  void disabledSpeaksPlaintextWhateverFilesAreGiven() {
    SslSettings ssl = SslSettings.of(sink(Map.of("raftkv.ssl.enabled", "false",
        "raftkv.ssl.certificate.location", "/certs/admin.crt")));
    assertThat(ssl.problems()).isEmpty();
    assertThat(ssl.tlsFiles()).isEmpty();
  }

  @Test
  void aBadFileIsReportedOnTheOptionNamingItWithItsValue() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "not a certificate\n");
    SslSettings ssl = SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", ca.toString())));
    BadTlsFileException bad = org.junit.jupiter.api.Assertions.assertThrows(BadTlsFileException.class,
        () -> ssl.tlsFiles().orElseThrow().check(Instant.now()));
    OptionProblem problem = ssl.problemOf(bad);
    assertThat(problem.option()).isEqualTo("raftkv.ssl.ca.location");
    assertThat(problem.message()).startsWith("raftkv.ssl.ca.location='" + ca + "': trusted CA " + ca)
        .contains("not a PEM certificate file");
  }

  @Test
  void aClientForAConfigWithAnUnusableFileIsRefusedNamingTheOptionAndTheFile() {
    Path missing = dir.resolve("gone.crt");
    RaftKvSinkConfig config = sink(Map.of("raftkv.ssl.ca.location", missing.toString()));
    assertThatThrownBy(() -> RaftKvClusterConfig.connect(config)).isInstanceOf(ConfigException.class)
        .hasMessage("raftkv.ssl.ca.location='" + missing + "': trusted CA " + missing + ": missing (no such file)");
  }

  @Test
  void aKeyThatDoesNotMatchItsCertificateIsAProblemOfTheKeyOption() throws Exception {
    TestCertificates cluster = TestCertificates.create(dir.resolve("cluster"), "c");
    TlsFiles alice = cluster.user("alice");
    SslSettings ssl = SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", cluster.caCertificate().toString(),
        "raftkv.ssl.certificate.location", alice.certChain().toString(),
        "raftkv.ssl.key.location", cluster.user("bob").privateKey().toString())));
    OptionProblem problem = problemOf(ssl);
    assertThat(problem.option()).isEqualTo("raftkv.ssl.key.location");
    assertThat(problem.message()).contains("does not match the certificate in " + alice.certChain());
  }

  @Test
  void theCertificateFileGivenAsTheKeyIsAProblemOfTheKeyOption() throws Exception {
    TestCertificates cluster = TestCertificates.create(dir.resolve("cluster"), "c");
    TlsFiles alice = cluster.user("alice");
    SslSettings ssl = SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", cluster.caCertificate().toString(),
        "raftkv.ssl.certificate.location", alice.certChain().toString(),
        "raftkv.ssl.key.location", alice.certChain().toString())));
    OptionProblem problem = problemOf(ssl);
    assertThat(problem.option()).isEqualTo("raftkv.ssl.key.location");
    assertThat(problem.message()).startsWith("raftkv.ssl.key.location='" + alice.certChain() + "': private key "
        + alice.certChain());
  }

  @Test
  void oneFileHoldingCertificateAndKeyIsRefusedAsTheCertificate() throws Exception {
    TestCertificates cluster = TestCertificates.create(dir.resolve("cluster"), "c");
    TlsFiles alice = cluster.user("alice");
    Path both = pem(dir.resolve("alice.pem"), alice.certChain(), alice.privateKey());
    SslSettings ssl = SslSettings.of(sink(Map.of("raftkv.ssl.ca.location", cluster.caCertificate().toString(),
        "raftkv.ssl.certificate.location", both.toString(), "raftkv.ssl.key.location", both.toString())));
    OptionProblem problem = problemOf(ssl);
    assertThat(problem.option()).isEqualTo("raftkv.ssl.certificate.location");
    assertThat(problem.message()).startsWith("raftkv.ssl.certificate.location='" + both + "': certificate " + both);
  }

  private static Path pem(Path into, Path... parts) throws Exception {
    StringBuilder text = new StringBuilder();
    for (Path part : parts) {
      text.append(Files.readString(part));
    }
    return Files.writeString(into, text);
  }

  /** The problem that checking {@code ssl}'s files reports, on its option. */
  private static OptionProblem problemOf(SslSettings ssl) {
    BadTlsFileException bad = org.junit.jupiter.api.Assertions.assertThrows(BadTlsFileException.class,
        () -> ssl.tlsFiles().orElseThrow().check(Instant.now()));
    return ssl.problemOf(bad);
  }
}
