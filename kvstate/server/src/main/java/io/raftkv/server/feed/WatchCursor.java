package io.raftkv.server.feed;

import io.raftkv.api.ChangeEvent;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import java.util.List;
import java.util.Optional;

/**
 * One watch's way through the change feed: the rows of an initial snapshot if asked, then the stored events
 * from its position on, as the response messages to send, each moving the position past what it carries.
 * One send run at a time calls {@link #next}; {@link #close} may come from any thread.
 */
public final class WatchCursor implements AutoCloseable {
  /** Most events in one response message. */
  public static final int MAX_EVENTS_PER_MESSAGE = 512;
  /** About the most bytes in one response message. */
  public static final long MAX_BYTES_PER_MESSAGE = 1L << 20;

  private final ChangeFeed feed;
  private final WatchRequest request;
  private FeedPosition position;
  private volatile FeedSnapshot snapshot;

  private WatchCursor(ChangeFeed feed, WatchRequest request, FeedPosition position) {
    this.feed = feed;
    this.request = request;
    this.position = position;
  }

  /**
   * A cursor at the position {@code request} asks for, with its initial snapshot pinned if it asks for one.
   *
   * @throws IllegalArgumentException if the request's position is out of range
   * @throws FeedClosedException once the node is stopping
   */
  public static WatchCursor open(ChangeFeed feed, WatchRequest request) {
    WatchCursor cursor = new WatchCursor(feed, request, FeedPosition.fromRequest(request));
    if (request.getInitialSnapshot()) {
      cursor.snapshot = feed.openSnapshot(request.getKeyPrefix());
    }
    return cursor;
  }

  /** What one call of {@link #next} found: a message to send, if any, and whether the feed has no more yet. */
  public record Step(Optional<WatchResponse> message, boolean caughtUp, long appliedIndex) {}

  /**
   * The next message: snapshot rows, the end of the snapshot, or stored events. Caught up, it carries the
   * applied index the read saw: wait for an entry applied after it before calling again.
   *
   * @throws FeedCompactedException if the feed no longer holds the position
   */
  public Step next() {
    FeedSnapshot s = snapshot;
    if (s != null) {
      return nextOfSnapshot(s);
    }
    FeedPage page = feed.read(position, request.getKeyPrefix(), MAX_EVENTS_PER_MESSAGE, MAX_BYTES_PER_MESSAGE);
    position = page.next();
    if (page.events().isEmpty()) {
      return new Step(Optional.empty(), page.caughtUp(), page.appliedIndex());
    }
    // applied_index promises every change up to it has been sent: only true of the node's applied index once
    // caught up; a partial page covers the entries before the one it stopped in.
    long covered = page.caughtUp() ? page.appliedIndex() : page.next().nextIndex() - 1;
    return new Step(Optional.of(WatchResponse.newBuilder().addAllEvents(page.events()).setAppliedIndex(covered)
        .build()), page.caughtUp(), page.appliedIndex());
  }

  private Step nextOfSnapshot(FeedSnapshot s) {
    List<ChangeEvent> rows = s.next(MAX_EVENTS_PER_MESSAGE, MAX_BYTES_PER_MESSAGE);
    if (!rows.isEmpty()) {
      // No applied_index yet: it promises every change up to it was sent, and rows are still to come.
      return new Step(Optional.of(WatchResponse.newBuilder().addAllEvents(rows).build()), false, 0);
    }
    long at = s.index();
    s.close();
    snapshot = null;
    position = FeedPosition.afterSnapshotDone(at);
    return new Step(Optional.of(WatchResponse.newBuilder().setSnapshotDone(true).setSnapshotIndex(at)
        .setAppliedIndex(at).build()), false, at);
  }

  /** Where the watch stands: the stored events after it are the next to send (once a snapshot is done). */
  public FeedPosition position() {
    return position;
  }

  /** Releases the snapshot under way, if any. */
  @Override
  public void close() {
    FeedSnapshot s = snapshot;
    if (s != null) {
      s.close();
    }
  }
}
