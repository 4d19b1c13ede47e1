package io.raftkv.certs;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM text of certificates and keys. Keys are unencrypted PKCS#8 ("BEGIN PRIVATE KEY"): the one key format
 * gRPC's reloading key manager reads.
 */
public final class PemText {
  private PemText() {}

  public static String of(X509Certificate certificate) {
    return write(certificate);
  }

  public static String of(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException("cannot encode the " + key.getAlgorithm() + " key as PKCS#8: "
          + e.getMessage(), e);
    }
  }

  private static String write(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      pem.writeObject(object);
    } catch (IOException e) {
      // A StringWriter does not fail; the writer's signature does.
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }
}
