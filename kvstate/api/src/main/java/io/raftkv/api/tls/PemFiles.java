package io.raftkv.api.tls;

import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * Reads PEM certificates and keys with grpc-util's own parser, so that what passes here is exactly what the
 * reloading key and trust managers will load; turns each failure into a {@link BadTlsFileException}.
 */
final class PemFiles {
  /** Larger than any sane chain or key; a bound so a wrong path (a log, a disk image) is not read whole. */
  static final long MAX_FILE_BYTES = 1 << 20;

  private static final String CERTIFICATE_HEADER = "-----BEGIN CERTIFICATE-----";
  private static final String PKCS8_KEY_HEADER = "-----BEGIN PRIVATE KEY-----";

  private PemFiles() {}

  static X509Certificate[] certificates(Path file, String role) throws BadTlsFileException {
    String text = read(file, role);
    if (!text.contains(CERTIFICATE_HEADER)) {
      throw new BadTlsFileException(file, role, "not a PEM certificate file (no '" + CERTIFICATE_HEADER
          + "' line)");
    }
    try {
      X509Certificate[] certificates = CertificateUtils.getX509Certificates(
          new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.length == 0) {
        throw new BadTlsFileException(file, role, "holds no certificate");
      }
      return certificates;
    } catch (GeneralSecurityException e) {
      throw new BadTlsFileException(file, role, "not a valid PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  static PrivateKey privateKey(Path file, String role) throws BadTlsFileException {
    String text = read(file, role);
    if (!text.lines().anyMatch(PKCS8_KEY_HEADER::equals)) {
      // Name the format we saw: a PEM key in another encoding needs a conversion, not a new key.
      String seen = text.lines().filter(l -> l.startsWith("-----BEGIN ")).findFirst().orElse(null);
      throw new BadTlsFileException(file, role, seen == null
          ? "not a PEM private key (no '" + PKCS8_KEY_HEADER + "' line)"
          : "a PEM '" + seen + "' block, but only an unencrypted PKCS#8 key ('" + PKCS8_KEY_HEADER
              + "') is allowed (convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8)");
    }
    try {
      return CertificateUtils.getPrivateKey(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new BadTlsFileException(file, role, "not a valid PEM private key (" + e.getMessage() + ")", e);
    }
  }

  private static String read(Path file, String role) throws BadTlsFileException {
    try {
      if (Files.isDirectory(file)) {
        throw new BadTlsFileException(file, role, "is a directory, not a file");
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new BadTlsFileException(file, role, "is " + size + " bytes; a PEM file here is at most "
            + MAX_FILE_BYTES + " bytes");
      }
      return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new BadTlsFileException(file, role, "missing (no such file)", e);
    } catch (IOException e) {
      throw new BadTlsFileException(file, role, "unreadable (" + e + ")", e);
    }
  }
}
