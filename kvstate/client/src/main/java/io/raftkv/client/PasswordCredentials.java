package io.raftkv.client;

import com.google.protobuf.ByteString;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.AuthRpc;
import io.raftkv.api.AuthenticateRequest;
import io.raftkv.api.AuthenticateResponse;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A user name and password that a client trades, on each node, for that node's token (Authenticate) and
 * attaches to every call as {@link CallCredentials} (metadata "token"). A call the node answers with
 * INVALID_TOKEN drops the token, so the retry authenticates again. Thread-safe; one per endpoint.
 */
final class PasswordCredentials implements ClientInterceptor {
  /** How long an Authenticate call may take: the node runs a slow hash for it. */
  private static final long AUTHENTICATE_TIMEOUT_SECONDS = 30;

  private final String user;
  private final ByteString password;
  /** The node's token, or an authentication under way; null when none is held. */
  private CompletableFuture<String> token;

  PasswordCredentials(String user, ByteString password) {
    this.user = user;
    this.password = password;
  }

  /** The user name and password; the chars are copied (the caller may clear its array). */
  static ByteString encode(char[] password) {
    return ByteString.copyFrom(StandardCharsets.UTF_8.encode(CharBuffer.wrap(password)));
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    if (method.getFullMethodName().equals(AuthRpc.AUTHENTICATE.getFullMethodName())) {
      return next.newCall(method, options);
    }
    TokenAttacher attacher = new TokenAttacher(next);
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method,
        options.withCallCredentials(attacher))) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
          @Override
          public void onClose(Status status, Metadata trailers) {
            if (status.getCode() == Status.Code.UNAUTHENTICATED && trailers != null
                && trailers.containsKey(ErrorTrailers.KEY)
                && trailers.get(ErrorTrailers.KEY).getCode() == Error.Code.INVALID_TOKEN) {
              forget(attacher.applied);
            }
            super.onClose(status, trailers);
          }
        }, headers);
      }
    };
  }

  private synchronized CompletableFuture<String> token(Channel channel) {
    if (token == null || token.isCompletedExceptionally()) {
      token = authenticate(channel);
    }
    return token;
  }

  /** Drops {@code stale} (the node no longer holds it) unless a newer token replaced it already. */
  private synchronized void forget(CompletableFuture<String> stale) {
    if (stale != null && token == stale) {
      token = null;
    }
  }

  private CompletableFuture<String> authenticate(Channel channel) {
    CompletableFuture<String> answer = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(channel.newCall(AuthRpc.AUTHENTICATE, CallOptions.DEFAULT.withDeadlineAfter(
        AUTHENTICATE_TIMEOUT_SECONDS, TimeUnit.SECONDS)), AuthenticateRequest.newBuilder().setUser(user)
        .setPassword(password).build(), new StreamObserver<AuthenticateResponse>() {
          @Override
          public void onNext(AuthenticateResponse value) {
            answer.complete(value.getToken());
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            answer.completeExceptionally(Status.UNKNOWN.withDescription("Authenticate sent no token").asException());
          }
        });
    return answer;
  }

  /** The status a call fails with when its node would not authenticate the user. */
  private static Status failureOf(Throwable t) {
    Status status = Status.fromThrowable(t);
    if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
      // the node is busy hashing: a sign to back off and retry, not to give up as a refused argument would
      return Status.UNAVAILABLE.withDescription("authentication: " + status.getDescription());
    }
    return status;
  }

  /** Attaches the node's token to one call, authenticating first when none is held. */
  private final class TokenAttacher extends CallCredentials {
    private final Channel channel;
    private volatile CompletableFuture<String> applied;

    TokenAttacher(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      CompletableFuture<String> current = token(channel);
      applied = current;
      current.whenComplete((value, failure) -> {
        if (failure != null) {
          applier.fail(failureOf(failure));
          return;
        }
        Metadata headers = new Metadata();
        headers.put(AuthRpc.TOKEN, value);
        applier.apply(headers);
      });
    }
  }
}
