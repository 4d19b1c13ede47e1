package io.raftkv.server.service;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.feed.FeedClosedException;
import io.raftkv.server.feed.FeedCompactedException;
import io.raftkv.server.feed.FeedPage;
import io.raftkv.server.feed.FeedSnapshot;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Watch call: sends the rows of an initial snapshot if asked, then stored change-feed events, then
 * live ones as they apply. It sends only while gRPC says the client keeps up (flow control), so a slow
 * watcher holds back its own stream and nothing else, and waits on the feed when it has sent everything.
 */
final class WatchStream {
  private static final Logger LOG = LoggerFactory.getLogger(WatchStream.class);
  /** Most events in one response message. */
  static final int MAX_EVENTS_PER_MESSAGE = 512;
  /** About the most bytes in one response message. */
  static final long MAX_BYTES_PER_MESSAGE = 1L << 20;

  private final ChangeFeed feed;
  private final ServerCallStreamObserver<WatchResponse> out;
  private final ByteString keyPrefix;
  private final SerialDrain drain;
  private final StallGuard stall;
  private final Duration idleTimeout;
  /** Frees the stream's watch slot; runs once, when the stream ends however it ends. */
  private final Runnable onEnd;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean finished;
  /** Set by the stall guard; the next send run ends the stream. */
  private volatile boolean stallSeen;
  // Touched by one run at a time (runs are serialized by the drain).
  private long index;
  private int subSequence;
  private volatile FeedSnapshot snapshot;

  private WatchStream(ChangeFeed feed, ServerCallStreamObserver<WatchResponse> out, Executor executor,
      WatchRequest request, Runnable onEnd, ScheduledExecutorService timer, Duration idleTimeout) {
    this.feed = feed;
    this.out = out;
    this.onEnd = onEnd;
    this.idleTimeout = idleTimeout;
    this.drain = new SerialDrain(executor, this::sendWhileReady, this::fail);
    this.stall = new StallGuard(timer, idleTimeout, out::isReady, () -> {
      stallSeen = true;
      drain.schedule();
    });
    this.keyPrefix = request.getKeyPrefix();
    this.index = request.getFromIndex();
    this.subSequence = request.getFromSubSequence();
  }

  /**
   * Starts streaming for {@code request}; the call ends only by an error, the client cancelling, or the
   * client reading nothing for {@code idleTimeout}. {@code onEnd} runs once when it ends.
   */
  static void start(ChangeFeed feed, ServerCallStreamObserver<WatchResponse> out, Executor executor,
      WatchRequest request, Runnable onEnd, ScheduledExecutorService timer, Duration idleTimeout) {
    WatchStream stream = new WatchStream(feed, out, executor, request, onEnd, timer, idleTimeout);
    out.setOnCancelHandler(stream::cancelled);
    out.setOnReadyHandler(() -> {
      stream.stall.progressed();
      stream.schedule();
    });
    if (request.getInitialSnapshot()) {
      try {
        stream.snapshot = feed.openSnapshot(request.getKeyPrefix());
      } catch (RuntimeException e) {
        stream.fail(e);
        return;
      }
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
    while (!finished && out.isReady()) {
      if (snapshot != null) {
        List<ChangeEvent> rows = snapshot.next(MAX_EVENTS_PER_MESSAGE, MAX_BYTES_PER_MESSAGE);
        if (rows.isEmpty()) {
          long at = snapshot.index();
          snapshot.close();
          snapshot = null;
          index = at + 1;
          subSequence = 0;
          send(WatchResponse.newBuilder().setSnapshotDone(true).setSnapshotIndex(at).setAppliedIndex(at)
              .build());
        } else {
          // No applied_index yet: it promises every change up to it was sent, and rows are still to come.
          send(WatchResponse.newBuilder().addAllEvents(rows).build());
        }
        continue;
      }
      FeedPage page = feed.read(index, subSequence, keyPrefix, MAX_EVENTS_PER_MESSAGE, MAX_BYTES_PER_MESSAGE);
      index = page.nextIndex();
      subSequence = page.nextSubSequence();
      if (!page.events().isEmpty()) {
        // applied_index promises every change up to it has been sent: only true of the node's applied
        // index once caught up; a partial page covers the entries before the one it stopped in.
        long covered = page.caughtUp() ? page.appliedIndex() : page.nextIndex() - 1;
        send(WatchResponse.newBuilder().addAllEvents(page.events()).setAppliedIndex(covered).build());
      }
      if (page.caughtUp()) {
        // Everything stored is sent: wait for the next applied entry (or the node stopping).
        feed.runWhenAppliedAfter(page.appliedIndex(), this::schedule);
        if (feed.isClosed()) {
          throw new FeedClosedException();
        }
        return;
      }
    }
  }

  private void cancelled() {
    finished = true;
    closeSnapshot();
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
    closeSnapshot();
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

  private void closeSnapshot() {
    FeedSnapshot s = snapshot;
    if (s != null) {
      s.close();
    }
  }
}
