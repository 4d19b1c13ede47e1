package io.raftkv.connect.config;

import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.TlsFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * One connector config's {@code raftkv.ssl.*} values: the client's {@link TlsFiles}, or which option is wrong. A
 * blank location counts as not set, as a config template may leave it empty.
 */
public record SslSettings(boolean enabled, Optional<String> ca, Optional<String> certificate, Optional<String> key) {
  /** The settings of a parsed config. */
  public static SslSettings of(AbstractConfig config) {
    return read(config.values()::get);
  }

  /** The settings from option values by name ({@code null} for an option not set). */
  static SslSettings read(Function<String, Object> value) {
    Object enabled = value.apply(RaftKvSslConfig.ENABLED);
    return new SslSettings(enabled == null || Boolean.TRUE.equals(enabled), location(value,
        RaftKvSslConfig.CA_LOCATION), location(value, RaftKvSslConfig.CERTIFICATE_LOCATION), location(value,
        RaftKvSslConfig.KEY_LOCATION));
  }

  private static Optional<String> location(Function<String, Object> value, String option) {
    Object v = value.apply(option);
    return v == null || v.toString().isBlank() ? Optional.empty() : Optional.of(v.toString().trim());
  }

  /** What keeps these settings from making a client: options missing for TLS, or given without their pair. */
  public List<OptionProblem> problems() {
    List<OptionProblem> out = new ArrayList<>();
    if (!enabled) {
      return out;
    }
    if (ca.isEmpty()) {
      out.add(new OptionProblem(RaftKvSslConfig.CA_LOCATION, RaftKvSslConfig.ENABLED + " is true (the default) but"
          + " no CA is given: set " + RaftKvSslConfig.CA_LOCATION + " to the PEM file of the CA that signed the"
          + " nodes' certificates (ca.crt from 'raftkv certs init'), or set " + RaftKvSslConfig.ENABLED
          + "=false for a cluster started with --insecure"));
    }
    if (certificate.isPresent() && key.isEmpty()) {
      out.add(new OptionProblem(RaftKvSslConfig.KEY_LOCATION, RaftKvSslConfig.CERTIFICATE_LOCATION + " is set ('"
          + certificate.get() + "') but " + RaftKvSslConfig.KEY_LOCATION + " is not: a client certificate needs"
          + " its private key"));
    }
    if (key.isPresent() && certificate.isEmpty()) {
      out.add(new OptionProblem(RaftKvSslConfig.CERTIFICATE_LOCATION, RaftKvSslConfig.KEY_LOCATION + " is set ('"
          + key.get() + "') but " + RaftKvSslConfig.CERTIFICATE_LOCATION + " is not: a private key needs the"
          + " client certificate it belongs to"));
    }
    return out;
  }

  /**
   * The files the client speaks TLS with; empty for plaintext ({@code raftkv.ssl.enabled=false}).
   *
   * @throws ConfigException naming the option of the first of {@link #problems()}
   */
  public Optional<TlsFiles> tlsFiles() {
    List<OptionProblem> problems = problems();
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.get(0).option() + ": " + problems.get(0).message());
    }
    if (!enabled) {
      return Optional.empty();
    }
    Path caFile = Path.of(ca.orElseThrow());
    return Optional.of(certificate.isPresent()
        ? new TlsFiles(Path.of(certificate.get()), Path.of(key.orElseThrow()), caFile)
        : TlsFiles.trustOnly(caFile));
  }

  /** The file at fault in {@code bad} as a problem of the option that names it. */
  public OptionProblem problemOf(BadTlsFileException bad) {
    String option = optionNaming(bad);
    String value = Map.of(RaftKvSslConfig.CA_LOCATION, ca, RaftKvSslConfig.CERTIFICATE_LOCATION, certificate,
        RaftKvSslConfig.KEY_LOCATION, key).get(option).orElse("");
    return new OptionProblem(option, option + "='" + value + "': " + bad.getMessage());
  }

  /**
   * The option whose file {@code bad} names. When one file is given for several options (the certificate file as
   * the key, say), the one whose role ("certificate", "private key", "trusted CA") the message opens with.
   */
  private String optionNaming(BadTlsFileException bad) {
    Map<String, Optional<String>> byOption = new LinkedHashMap<>();
    byOption.put(RaftKvSslConfig.CERTIFICATE_LOCATION, certificate);
    byOption.put(RaftKvSslConfig.KEY_LOCATION, key);
    byOption.put(RaftKvSslConfig.CA_LOCATION, ca);
    Map<String, String> roles = Map.of(RaftKvSslConfig.CERTIFICATE_LOCATION, "certificate ",
        RaftKvSslConfig.KEY_LOCATION, "private key ", RaftKvSslConfig.CA_LOCATION, "trusted CA ");
    List<String> naming = new ArrayList<>();
    byOption.forEach((option, location) -> {
      if (location.isPresent() && Path.of(location.get()).equals(bad.file())) {
        naming.add(option);
      }
    });
    String message = String.valueOf(bad.getMessage());
    return naming.stream().filter(option -> message.startsWith(roles.get(option))).findFirst()
        .orElse(naming.isEmpty() ? RaftKvSslConfig.CA_LOCATION : naming.get(0));
  }
}
