package io.raftkv.client;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.KvRpc;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A subscription to the change feed: {@link #poll} hands out the node's responses in order. The node
 * sends only as fast as the caller polls (at most {@link #PREFETCH} messages wait here), so a slow
 * consumer slows its own stream and nothing else. If the node fails, the stream moves to another
 * endpoint and resumes right after the last change received, so the caller sees every change once. An
 * initial snapshot cannot resume: a failure during it, or a position the feed no longer holds
 * (COMPACTED, see {@link RaftKvException#oldestIndex()}), ends the stream with an exception; so does a
 * starting position past what every node applied (OUT_OF_RANGE), once the nodes have said so for the
 * client's deadline. After such an exception the caller may go on with {@link #resumeFrom}, which is how a
 * consumer retakes a cut-off snapshot or starts over from one.
 */
public final class ChangeStream implements AutoCloseable {
  /** Messages requested ahead of the caller. */
  static final int PREFETCH = 4;
  private static final Object COMPLETED = new Object();

  private final RaftKvClient client;
  private final ByteString keyPrefix;
  /** The open call's messages; each call gets its own, so one cancelled leaves nothing behind. */
  private LinkedBlockingQueue<Object> received;
  private volatile ClientCallStreamObserver<WatchRequest> call;
  private String endpoint;
  /** Right after the last message handed out; where a resumed stream starts. */
  private FeedPosition position;
  /** Between reconnects: 10-20 ms, doubling up to 0.5-1 s; starts over once a message arrives. */
  private final Backoff reconnects = new Backoff(20, 1000, 6, Backoff.THREAD_LOCAL_JITTER);
  /** Since when (System.nanoTime) nodes have answered OUT_OF_RANGE in a row; 0: the last answer was not. */
  private long outOfRangeSinceNanos;
  /** Whether the position came from the cluster (a change or a snapshot was received), not the caller. */
  private boolean positionFromCluster;
  private boolean closed;

  /** The nodes that dropped the stream's token since it last received a message (each gets one reconnect). */
  private final java.util.Set<String> tokenRenewedAt = new java.util.HashSet<>();

  ChangeStream(RaftKvClient client, WatchRequest request) {
    this.client = client;
    this.keyPrefix = request.getKeyPrefix();
    this.position = FeedPosition.fromRequest(request);
    open(client.nextEndpoint(), request);
  }

  private void open(String target, WatchRequest from) {
    endpoint = target;
    ClientCall<WatchRequest, WatchResponse> clientCall = client.channel(target).newCall(KvRpc.WATCH,
        CallOptions.DEFAULT);
    LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    received = queue;
    ClientCalls.asyncServerStreamingCall(clientCall, from, new ClientResponseObserver<WatchRequest, WatchResponse>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
        call = requestStream;
        requestStream.disableAutoRequestWithInitial(PREFETCH);
      }

      @Override
      public void onNext(WatchResponse response) {
        queue.add(response);
      }

      @Override
      public void onError(Throwable t) {
        queue.add(t);
      }

      @Override
      public void onCompleted() {
        queue.add(COMPLETED);
      }
    });
  }

  /**
   * The next message from the node, or null if none came within {@code timeout}.
   *
   * @throws RaftKvException COMPACTED (with the oldest index held), INVALID_ARGUMENT, or UNAVAILABLE when an
   *     initial snapshot was cut off or no node could be reached
   */
  public WatchResponse poll(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (closed) {
        throw new IllegalStateException("the change stream is closed");
      }
      Object next;
      try {
        next = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RaftKvException(Error.Code.UNAVAILABLE, "interrupted while waiting for changes", e);
      }
      if (next == null) {
        return null;
      }
      if (next instanceof WatchResponse response) {
        call.request(1);
        reconnects.reset();
        tokenRenewedAt.clear();
        advancePast(response);
        return response;
      }
      Throwable failure = next == COMPLETED ? null : (Throwable) next;
      reconnectAfter(failure);
    }
  }

  private void advancePast(WatchResponse response) {
    outOfRangeSinceNanos = 0;
    FeedPosition next = position.advancedBy(response);
    if (!next.inSnapshot() && !next.equals(position)) {
      positionFromCluster = true;
    }
    position = next;
  }

  private void reconnectAfter(Throwable failure) {
    Error error = failure == null ? Error.newBuilder().setCode(Error.Code.UNAVAILABLE)
        .setMessage(endpoint + " ended the change stream").build() : ErrorTrailers.fromThrowable(failure);
    // TIMEOUT: the node ended a stream it found stalled; RESOURCE_EXHAUSTED: it serves its most watches.
    // Both are worth another try, after a back-off and at the next endpoint.
    boolean retryable = error.getCode() == Error.Code.UNAVAILABLE || error.getCode() == Error.Code.UNKNOWN
        || error.getCode() == Error.Code.TIMEOUT || error.getCode() == Error.Code.RESOURCE_EXHAUSTED;
    if (error.getCode() == Error.Code.INVALID_TOKEN && tokenRenewedAt.add(endpoint)) {
      // The node dropped this client's token (and the credentials with it): once per node, reconnect and
      // authenticate again.
      retryable = true;
    }
    if (error.getCode() == Error.Code.OUT_OF_RANGE) {
      // A position the cluster handed out is only ahead of a lagging node: try the others, and wait for it.
      // The caller's own position is refused once the nodes have said, for the client's deadline, that it
      // lies past what they applied (a node restarting or catching up gets that long to reach it).
      long now = System.nanoTime();
      if (outOfRangeSinceNanos == 0) {
        outOfRangeSinceNanos = now;
      }
      retryable = positionFromCluster || now - outOfRangeSinceNanos < client.deadline().toNanos();
    } else {
      outOfRangeSinceNanos = 0;
    }
    if (!retryable) {
      throw GrpcErrors.fromNode(endpoint, error, failure);
    }
    if (position.inSnapshot()) {
      throw RaftKvException.of(Error.newBuilder().setCode(Error.Code.UNAVAILABLE).setMessage(
          "the initial snapshot from " + endpoint + " was cut off (" + error.getMessage()
              + "); start it again").build(), failure, "");
    }
    try {
      Thread.sleep(reconnects.nextMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RaftKvException(Error.Code.UNAVAILABLE, "interrupted while reconnecting", e);
    }
    open(client.nextEndpoint(), position.resume().setKeyPrefix(keyPrefix).build());
  }

  /**
   * Where the stream stands: right after the last change handed out by {@link #poll}, after the whole
   * entry of a completed initial snapshot, or inside a snapshot not yet complete.
   */
  public FeedPosition position() {
    return position;
  }

  /**
   * Ends the current call and watches again, at the next endpoint, from {@code from} (a position inside a
   * snapshot takes a new snapshot). For a caller going on after {@link #poll} threw, or starting over.
   */
  public void resumeFrom(FeedPosition from) {
    if (closed) {
      throw new IllegalStateException("the change stream is closed");
    }
    ClientCallStreamObserver<WatchRequest> c = call;
    if (c != null) {
      c.cancel("resumed from " + from, null);
    }
    // As a new stream would: the position is the caller's, and no node has refused it yet.
    position = from;
    positionFromCluster = false;
    outOfRangeSinceNanos = 0;
    reconnects.reset();
    open(client.nextEndpoint(), from.resume().setKeyPrefix(keyPrefix).build());
  }

  /** The endpoint currently streaming. */
  public String endpoint() {
    return endpoint;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      ClientCallStreamObserver<WatchRequest> c = call;
      if (c != null) {
        c.cancel("closed by the client", null);
      }
    }
  }
}
