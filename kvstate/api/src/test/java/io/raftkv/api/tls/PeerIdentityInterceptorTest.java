package io.raftkv.api.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** The interceptor refuses calls below TLS 1.3 and runs certificate-less or plaintext calls as nobody. */
class PeerIdentityInterceptorTest {
  @Test
  void callOverTls12IsRefusedAsUnauthenticated() {
    RecordingCall call = new RecordingCall(Attributes.newBuilder()
        .set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session("TLSv1.2")).build());
    AtomicReference<PeerIdentity> seen = new AtomicReference<>();
    new PeerIdentityInterceptor().interceptCall(call, new Metadata(), (c, h) -> {
      seen.set(PeerIdentity.current());
      return new ServerCall.Listener<>() {};
    });
    assertThat(seen.get()).isNull();
    assertThat(call.closedWith.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(call.closedWith.getDescription()).contains("TLSv1.2", "only TLSv1.3");
  }

  @Test
  void tls13CallWithoutCertificateRunsAsNobody() {
    assertThat(identitySeenBy(Attributes.newBuilder()
        .set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session("TLSv1.3")).build())).isEqualTo(new PeerIdentity.None());
  }

  @Test
  void plaintextCallRunsAsNobody() {
    assertThat(identitySeenBy(Attributes.EMPTY)).isEqualTo(new PeerIdentity.None());
  }

  private static PeerIdentity identitySeenBy(Attributes attributes) {
    RecordingCall call = new RecordingCall(attributes);
    AtomicReference<PeerIdentity> seen = new AtomicReference<>();
    new PeerIdentityInterceptor().interceptCall(call, new Metadata(), (c, h) -> {
      seen.set(PeerIdentity.current());
      return new ServerCall.Listener<>() {};
    });
    assertThat(call.closedWith).isNull();
    return seen.get();
  }

  /** A TLS session of {@code protocol} in which the client presented no certificate. */
  private static SSLSession session(String protocol) {
    java.util.Map<String, Object> values = new java.util.HashMap<>();
    return (SSLSession) Proxy.newProxyInstance(SSLSession.class.getClassLoader(), new Class<?>[] {SSLSession.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getProtocol" -> protocol;
          case "getPeerCertificates" -> throw new SSLPeerUnverifiedException("no client certificate");
          case "getValue" -> values.get((String) args[0]);
          case "putValue" -> values.put((String) args[0], args[1]);
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private static final class RecordingCall extends ServerCall<Object, Object> {
    private final Attributes attributes;
    Status closedWith;

    RecordingCall(Attributes attributes) {
      this.attributes = attributes;
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      closedWith = status;
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(Object message) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public MethodDescriptor<Object, Object> getMethodDescriptor() {
      throw new UnsupportedOperationException("not needed by the interceptor");
    }
  }
}
