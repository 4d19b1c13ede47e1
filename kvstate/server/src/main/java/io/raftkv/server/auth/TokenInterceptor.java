package io.raftkv.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.raftkv.api.AuthRpc;

/** Puts the token a call carries in its metadata ("token") into the call's {@link Context}, for {@link AccessControl}. */
public final class TokenInterceptor implements ServerInterceptor {
  /** Where the call's token is, absent when it carries none. */
  static final Context.Key<String> TOKEN = Context.key("raftkv-token");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String token = headers.get(AuthRpc.TOKEN);
    if (token == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(Context.current().withValue(TOKEN, token), call, headers, next);
  }
}
