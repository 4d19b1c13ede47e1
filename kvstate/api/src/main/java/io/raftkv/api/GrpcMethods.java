package io.raftkv.api;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/** Builds gRPC method descriptors over protobuf messages (in place of protoc-generated stubs). */
public final class GrpcMethods {
  private GrpcMethods() {}

  public static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(String service,
      String method, Q requestPrototype, R responsePrototype) {
    return build(MethodDescriptor.MethodType.UNARY, service, method, requestPrototype, responsePrototype);
  }

  public static <Q extends Message, R extends Message> MethodDescriptor<Q, R> serverStreaming(String service,
      String method, Q requestPrototype, R responsePrototype) {
    return build(MethodDescriptor.MethodType.SERVER_STREAMING, service, method, requestPrototype,
        responsePrototype);
  }

  public static <Q extends Message, R extends Message> MethodDescriptor<Q, R> clientStreaming(String service,
      String method, Q requestPrototype, R responsePrototype) {
    return build(MethodDescriptor.MethodType.CLIENT_STREAMING, service, method, requestPrototype,
        responsePrototype);
  }

  public static <Q extends Message, R extends Message> MethodDescriptor<Q, R> bidiStreaming(String service,
      String method, Q requestPrototype, R responsePrototype) {
    return build(MethodDescriptor.MethodType.BIDI_STREAMING, service, method, requestPrototype,
        responsePrototype);
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> build(
      MethodDescriptor.MethodType type, String service, String method, Q requestPrototype, R responsePrototype) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
        .setRequestMarshaller(ProtoUtils.marshaller(requestPrototype))
        .setResponseMarshaller(ProtoUtils.marshaller(responsePrototype))
        .build();
  }
}
