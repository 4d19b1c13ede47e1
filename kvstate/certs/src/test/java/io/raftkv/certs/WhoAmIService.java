package io.raftkv.certs;

import com.google.protobuf.Empty;
import com.google.protobuf.StringValue;
import io.grpc.MethodDescriptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.raftkv.api.GrpcMethods;
import io.raftkv.api.tls.PeerIdentity;
import io.raftkv.api.tls.PeerIdentityInterceptor;

/** A one-call test service answering with the caller's identity as the interceptor put it in the context. */
final class WhoAmIService {
  static final String SERVICE = "raftkv.test.WhoAmI";
  static final MethodDescriptor<Empty, StringValue> WHO_AM_I =
      GrpcMethods.unary(SERVICE, "WhoAmI", Empty.getDefaultInstance(), StringValue.getDefaultInstance());

  private WhoAmIService() {}

  /** The service behind {@link PeerIdentityInterceptor}, as a server would mount it. */
  static ServerServiceDefinition intercepted() {
    ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
        .addMethod(WHO_AM_I, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(StringValue.of(PeerIdentity.current().toString()));
          response.onCompleted();
        }))
        .build();
    return ServerInterceptors.intercept(service, new PeerIdentityInterceptor());
  }
}
