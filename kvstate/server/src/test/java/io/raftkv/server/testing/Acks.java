package io.raftkv.server.testing;

import io.grpc.stub.StreamObserver;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.concurrent.CompletableFuture;

/** Receives a peer call's acknowledgement into a future, for tests that speak the peer protocol by hand. */
public final class Acks {
  private Acks() {}

  /** An observer that completes {@code ack} with the answer, the error, or an empty ack on a bare close. */
  public static StreamObserver<TransportAck> into(CompletableFuture<TransportAck> ack) {
    return new StreamObserver<>() {
      @Override
      public void onNext(TransportAck value) {
        ack.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        ack.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        ack.complete(TransportAck.getDefaultInstance());
      }
    };
  }
}
