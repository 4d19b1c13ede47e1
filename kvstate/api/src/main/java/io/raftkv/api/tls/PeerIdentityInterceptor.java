package io.raftkv.api.tls;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts the caller's {@link PeerIdentity}, read from the certificate its TLS handshake verified, into the call's
 * {@link Context} for the services; refuses (UNAUTHENTICATED) a call over anything but TLS 1.3, or whose
 * certificate names no readable identity. A call without TLS, or without a client certificate, runs as
 * {@link PeerIdentity.None}: whether that may proceed is the service's decision.
 */
public final class PeerIdentityInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    PeerIdentity identity;
    try {
      identity = session == null ? new PeerIdentity.None() : identityOf(session);
    } catch (IllegalArgumentException e) {
      call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(Context.current().withValue(PeerIdentity.CONTEXT_KEY, identity), call, headers,
        next);
  }

  /** Where a session keeps the identity read from its certificate, so each call of a connection reads it once. */
  private static final String SESSION_IDENTITY = "io.raftkv.peer-identity";

  private static PeerIdentity identityOf(SSLSession session) {
    if (!Tls13Only.PROTOCOL.equals(session.getProtocol())) {
      throw new IllegalArgumentException("connection uses " + session.getProtocol() + "; only "
          + Tls13Only.PROTOCOL + " is allowed");
    }
    if (session.getValue(SESSION_IDENTITY) instanceof PeerIdentity known) {
      return known;
    }
    PeerIdentity identity = verifiedIdentity(session);
    session.putValue(SESSION_IDENTITY, identity);
    return identity;
  }

  private static PeerIdentity verifiedIdentity(SSLSession session) {
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return new PeerIdentity.None();
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return new PeerIdentity.None();
    }
    return PeerIdentity.of(leaf);
  }
}
