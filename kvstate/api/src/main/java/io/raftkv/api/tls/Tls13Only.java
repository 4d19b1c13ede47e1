package io.raftkv.api.tls;

import io.grpc.util.AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Fails a handshake that negotiated anything older than TLS 1.3. gRPC's TLS credentials have no protocol
 * setting, so the check rides on certificate verification: it covers every handshake where a certificate is
 * checked (a client checking a server, a server checking a client certificate); {@link PeerIdentityInterceptor}
 * covers the client port's certificate-less callers.
 */
final class Tls13Only implements SslSocketAndEnginePeerVerifier {
  static final String PROTOCOL = "TLSv1.3";

  @Override
  public void verifyPeerCertificate(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null);
  }

  @Override
  public void verifyPeerCertificate(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(engine == null ? null : engine.getHandshakeSession());
  }

  private static void check(SSLSession handshake) throws CertificateException {
    String protocol = handshake == null ? null : handshake.getProtocol();
    if (!PROTOCOL.equals(protocol)) {
      throw new CertificateException("handshake negotiated " + protocol + "; only " + PROTOCOL + " is allowed");
    }
  }
}
