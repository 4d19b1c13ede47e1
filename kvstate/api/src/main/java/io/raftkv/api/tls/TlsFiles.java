package io.raftkv.api.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The PEM files of one side of a TLS connection: its certificate chain and private key (absent together for a
 * client that only checks the server), and the CA it trusts to sign the other side. {@link #check} reads them as
 * the reloading managers will and refuses, naming the file, anything that would fail a handshake later.
 */
public record TlsFiles(Path certChain, Path privateKey, Path trustedCa) {
  public TlsFiles {
    Objects.requireNonNull(trustedCa, "trustedCa");
    if ((certChain == null) != (privateKey == null)) {
      throw new IllegalArgumentException("a certificate and its private key go together: certificate "
          + certChain + ", private key " + privateKey);
    }
  }

  /** A client without a certificate of its own: it only checks the server against {@code trustedCa}. */
  public static TlsFiles trustOnly(Path trustedCa) {
    return new TlsFiles(null, null, trustedCa);
  }

  /** Whether this side presents a certificate of its own. */
  public boolean hasIdentity() {
    return certChain != null;
  }

  /**
   * Who this side's certificate (the first of its chain) says it is: a node, or a user.
   *
   * @throws BadTlsFileException if the certificate cannot be read or names no usable identity
   * @throws IllegalStateException if this side has no certificate
   */
  public PeerIdentity identity() throws BadTlsFileException {
    if (!hasIdentity()) {
      throw new IllegalStateException("no certificate given: only a trusted CA (" + trustedCa + ")");
    }
    X509Certificate leaf = PemFiles.certificates(certChain, "certificate")[0];
    try {
      return PeerIdentity.of(leaf);
    } catch (IllegalArgumentException e) {
      throw new BadTlsFileException(certChain, "certificate", e.getMessage(), e);
    }
  }

  /**
   * Refuses files that cannot serve at {@code now}: missing, unreadable, not PEM, a key that does not match its
   * certificate, a certificate (or CA) expired or not yet valid, or a certificate the CA did not sign.
   */
  public void check(Instant now) throws BadTlsFileException {
    X509Certificate[] cas = PemFiles.certificates(trustedCa, "trusted CA");
    for (X509Certificate ca : cas) {
      checkValidity(ca, trustedCa, "trusted CA", now);
    }
    if (!hasIdentity()) {
      return;
    }
    X509Certificate[] chain = PemFiles.certificates(certChain, "certificate");
    PrivateKey key = PemFiles.privateKey(privateKey, "private key");
    for (X509Certificate certificate : chain) {
      checkValidity(certificate, certChain, "certificate", now);
    }
    if (!keyMatches(key, chain[0].getPublicKey())) {
      throw new BadTlsFileException(privateKey, "private key", "does not match the certificate in " + certChain
          + " (" + chain[0].getSubjectX500Principal() + ")");
    }
    checkSignedBy(chain, cas, now);
  }

  private static void checkValidity(X509Certificate certificate, Path file, String role, Instant now)
      throws BadTlsFileException {
    try {
      certificate.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new BadTlsFileException(file, role, "certificate " + certificate.getSubjectX500Principal()
          + " expired at " + certificate.getNotAfter().toInstant() + " (now " + now + ")", e);
    } catch (CertificateNotYetValidException e) {
      throw new BadTlsFileException(file, role, "certificate " + certificate.getSubjectX500Principal()
          + " is not valid before " + certificate.getNotBefore().toInstant() + " (now " + now + ")", e);
    }
  }

  /** A signature made with the key verifies with the certificate's public key: then they are one pair. */
  private static boolean keyMatches(PrivateKey key, PublicKey certified) {
    if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
      return false;
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> null;
    };
    if (algorithm == null) {
      return false;
    }
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private void checkSignedBy(X509Certificate[] chain, X509Certificate[] cas, Instant now)
      throws BadTlsFileException {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate ca : cas) {
      anchors.add(new TrustAnchor(ca, null));
    }
    try {
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      parameters.setDate(Date.from(now));
      // A chain file may end with the CA itself; the path to validate stops below the anchor.
      X509Certificate[] path = Arrays.stream(chain).filter(c -> !isAnchor(c, cas)).toArray(X509Certificate[]::new);
      if (path.length == 0) {
        throw new BadTlsFileException(certChain, "certificate", "is the trusted CA itself, not a certificate"
            + " the CA signed");
      }
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(path)), parameters);
    } catch (CertPathValidatorException e) {
      throw new BadTlsFileException(certChain, "certificate", "not signed by the trusted CA in " + trustedCa
          + " (" + e.getMessage() + ")", e);
    } catch (InvalidAlgorithmParameterException e) {
      throw new BadTlsFileException(trustedCa, "trusted CA", "cannot serve as a trust anchor (" + e.getMessage()
          + ")", e);
    } catch (GeneralSecurityException e) {
      throw new BadTlsFileException(certChain, "certificate", "cannot be checked against the trusted CA in "
          + trustedCa + " (" + e.getMessage() + ")", e);
    }
  }

  private static boolean isAnchor(X509Certificate certificate, X509Certificate[] cas) {
    return Arrays.asList(cas).contains(certificate);
  }
}
