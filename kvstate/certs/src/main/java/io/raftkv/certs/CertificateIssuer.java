package io.raftkv.certs;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes EC P-256 key pairs and signs X.509 v3 certificates with BouncyCastle: a self-signed CA, and node and
 * client certificates under it. P-256 because every TLS 1.3 stack (BoringSSL, the JDK) accepts it, its keys are
 * small and fast, and grpc-util's PEM reader loads it.
 */
public final class CertificateIssuer {
  private static final String SIGNATURE = "SHA256withECDSA";
  /** Serial numbers are random and positive, below 2^159: RFC 5280 allows at most 20 octets. */
  private static final int SERIAL_BITS = 159;

  private final SecureRandom random;

  public CertificateIssuer(SecureRandom random) {
    this.random = random;
  }

  /** A self-signed CA that may sign end certificates only (path length 0). */
  public Issued certificateAuthority(String commonName, Validity validity) {
    KeyPair keys = newKeyPair();
    X500Principal subject = new X500Principal("CN=" + rdnValue(commonName));
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
          Date.from(validity.notBefore()), Date.from(validity.notAfter()), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
      return new Issued(sign(builder, keys), keys);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot make the CA certificate: " + e.getMessage(), e);
    }
  }

  /** A node or client certificate signed by {@code ca}. */
  public Issued issue(Issued ca, CertificateRequest request) {
    KeyPair keys = newKeyPair();
    List<GeneralName> names = new ArrayList<>();
    for (String host : request.hosts()) {
      names.add(HostNames.isIpLiteral(host)
          ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName, host));
    }
    request.node().ifPresent(node -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier,
        node.uri())));
    KeyPurposeId[] purposes = request.serverAuth()
        ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
        : new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth};
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serial(),
          Date.from(request.validity().notBefore()), Date.from(request.validity().notAfter()),
          new X500Principal("CN=" + rdnValue(request.commonName())), keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false,
              utils.createAuthorityKeyIdentifier(ca.certificate()));
      if (!names.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return new Issued(sign(builder, ca.keys()), keys);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot make the certificate for " + request.commonName() + ": "
          + e.getMessage(), e);
    }
  }

  private KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make EC P-256 keys: " + e.getMessage(), e);
    }
  }

  private BigInteger serial() {
    return new BigInteger(SERIAL_BITS, random).setBit(0);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer.getPrivate())));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with " + SIGNATURE + ": " + e.getMessage(), e);
    }
  }

  /** Escapes a name for use as one RDN value, so a user named "a,CN=admin" stays one name. */
  private static String rdnValue(String name) {
    return javax.naming.ldap.Rdn.escapeValue(name);
  }
}
