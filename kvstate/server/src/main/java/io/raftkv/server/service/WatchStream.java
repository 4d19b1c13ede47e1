package io.raftkv.server.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.feed.FeedClosedException;
import io.raftkv.server.feed.FeedCompactedException;
import io.raftkv.server.feed.WatchCursor;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Watch call on the wire: sends what its {@link WatchCursor} reads (an initial snapshot's rows if asked,
 * stored change-feed events, then live ones as they apply) only while gRPC says the client keeps up (flow
 * control), so a slow watcher holds back its own stream and nothing else; waits on the feed when it has
 * sent everything, and ends the call with the error that stopped it.
 */
final class WatchStream {
  private static final Logger LOG = LoggerFactory.getLogger(WatchStream.class);

  private final ChangeFeed feed;
  private final ServerCallStreamObserver<WatchResponse> out;
  private final SerialDrain drain;
  private final StallGuard stall;
  private final Duration idleTimeout;
  /** Frees the stream's watch slot; runs once, when the stream ends however it ends. */
  private final Runnable onEnd;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean finished;
  /** Set by the stall guard; the next send run ends the stream. */
  private volatile boolean stallSeen;
  /** Read by one send run at a time (runs are serialized by the drain); closed from any thread. */
  private volatile WatchCursor cursor;

  private WatchStream(ChangeFeed feed, ServerCallStreamObserver<WatchResponse> out, Executor executor,
      Runnable onEnd, ScheduledExecutorService timer, Duration idleTimeout) {
    this.feed = feed;
    this.out = out;
    this.onEnd = onEnd;
    this.idleTimeout = idleTimeout;
    this.drain = new SerialDrain(executor, this::sendWhileReady, this::fail);
    this.stall = new StallGuard(timer, idleTimeout, out::isReady, () -> {
      stallSeen = true;
      drain.schedule();
    });
  }

  /**
   * Starts streaming for {@code request}; the call ends only by an error, the client cancelling, or the
   * client reading nothing for {@code idleTimeout}. {@code onEnd} runs once when it ends.
   */
  static void start(ChangeFeed feed, ServerCallStreamObserver<WatchResponse> out, Executor executor,
      WatchRequest request, Runnable onEnd, ScheduledExecutorService timer, Duration idleTimeout) {
    WatchStream stream = new WatchStream(feed, out, executor, onEnd, timer, idleTimeout);
    out.setOnCancelHandler(stream::cancelled);
    out.setOnReadyHandler(() -> {
      stream.stall.progressed();
      stream.schedule();
    });
    try {
      stream.cursor = WatchCursor.open(feed, request);
    } catch (RuntimeException e) {
      stream.fail(e);
      return;
    }
    stream.schedule();
  }

  /** Makes sure a send run follows; runs never overlap and none is lost. */
  private void schedule() {
    if (!finished) {
      drain.schedule();
    }
  }

  private void sendWhileReady() {
    if (stallSeen) {
      stalled();
      return;
    }
    sendWhileReadyLoop();
    if (!finished && !out.isReady()) {
      stall.blocked();
    }
  }

  private void send(WatchResponse response) {
    out.onNext(response);
    stall.progressed();
  }

  /** The client read nothing for the idle timeout: end the stream and free what it pins. */
  private void stalled() {
    if (finished) {
      return;
    }
    fail(new StalledException("watch stalled: the client read nothing for " + StallGuard.describe(idleTimeout)));
  }

  private void sendWhileReadyLoop() {
    WatchCursor c = cursor;
    if (c == null) {
      return; // a ready signal came before start() opened the cursor; start() schedules a run once it has
    }
    while (!finished && out.isReady()) {
      WatchCursor.Step step = c.next();
      step.message().ifPresent(this::send);
      if (step.caughtUp()) {
        // Everything stored is sent: wait for the next applied entry (or the node stopping).
        feed.runWhenAppliedAfter(step.appliedIndex(), this::schedule);
        if (feed.isClosed()) {
          throw new FeedClosedException();
        }
        return;
      }
    }
  }

  private void cancelled() {
    finished = true;
    closeCursor();
    end();
  }

  private void end() {
    stall.stop();
    if (ended.compareAndSet(false, true)) {
      onEnd.run();
    }
  }

  private void fail(RuntimeException e) {
    if (finished) {
      return; // the client went away meanwhile
    }
    finished = true;
    closeCursor();
    end();
    Error error;
    if (e instanceof StalledException) {
      error = Error.newBuilder().setCode(Error.Code.TIMEOUT).setMessage(e.getMessage()).build();
    } else if (e instanceof FeedCompactedException compacted) {
      error = Error.newBuilder().setCode(Error.Code.COMPACTED).setMessage(compacted.getMessage())
          .setOldestIndex(compacted.oldestIndex()).build();
    } else if (e instanceof FeedClosedException) {
      error = Error.newBuilder().setCode(Error.Code.UNAVAILABLE).setMessage(e.getMessage()).build();
    } else {
      LOG.warn("watch stream failed", e);
      error = Replies.toError(e);
    }
    try {
      out.onError(ErrorTrailers.toException(error));
    } catch (IllegalStateException alreadyClosed) {
      // the call ended meanwhile
    }
  }

  private void closeCursor() {
    WatchCursor c = cursor;
    if (c != null) {
      c.close();
    }
  }
}
