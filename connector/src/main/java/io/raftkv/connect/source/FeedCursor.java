package io.raftkv.connect.source;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Error;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.WatchResponse;
import io.raftkv.client.ChangeStream;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.connect.config.OnCompacted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the change feed from a position and hands out the events to emit, each with the offset its record
 * carries. It holds back the newest snapshot row until it knows whether it is the last (its offset then says
 * the snapshot is done), decides where the watch goes on after an interrupted snapshot or a COMPACTED answer
 * (the client's {@link ChangeStream} reconnects and resumes), and applies the COMPACTED policy.
 * Not thread-safe: one task thread uses it.
 */
final class FeedCursor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FeedCursor.class);

  private final RaftKvClient client;
  private final ByteString keyPrefix;
  private final Predicate<ByteString> emitKey;
  private final OnCompacted onCompacted;
  private final String connectorName;
  private ChangeStream stream;
  /** Set when the watch broke off: the stream resumes from {@link #position} before the next read. */
  private boolean resumeNeeded;
  /** Where the last event handed out leaves the feed; a resumed watch starts here. */
  private FeedPosition position;
  /** What {@link #position} came from, for error messages. */
  private String positionOrigin;
  private WatchResponse current;
  private int nextEvent;
  /** The newest snapshot row read, not yet handed out. */
  private ChangeEvent heldRow;

  /**
   * @param emitKey which keys' events are handed out (the others are read past)
   * @param origin what {@code start} came from, e.g. "the stored offset"
   */
  FeedCursor(RaftKvClient client, ByteString keyPrefix, Predicate<ByteString> emitKey, OnCompacted onCompacted,
      String connectorName, FeedPosition start, String origin) {
    this.client = client;
    this.keyPrefix = keyPrefix;
    this.emitKey = emitKey;
    this.onCompacted = onCompacted;
    this.connectorName = connectorName;
    this.position = start;
    this.positionOrigin = origin;
  }

  FeedPosition position() {
    return position;
  }

  /**
   * Up to {@code maxEvents} events: waits up to {@code wait} for the first, then takes only what has
   * already arrived.
   *
   * @throws RetriableException if the watch broke off and nothing was read before (the next call reopens it)
   * @throws ConnectException if the feed no longer holds the position (and the policy is to fail), or the
   *     cluster refused the watch
   */
  List<FeedItem> poll(Duration wait, int maxEvents) {
    List<FeedItem> out = new ArrayList<>();
    long deadline = System.nanoTime() + wait.toNanos();
    while (out.size() < maxEvents) {
      if (current == null) {
        WatchResponse next;
        try {
          next = receive(out.isEmpty() ? Duration.ofNanos(Math.max(0, deadline - System.nanoTime())) : Duration.ZERO);
        } catch (RaftKvException e) {
          if (!recover(e, out.isEmpty())) {
            return out;
          }
          continue;
        }
        if (next == null) {
          return out;
        }
        current = next;
        nextEvent = 0;
      }
      drainCurrent(out, maxEvents);
    }
    return out;
  }

  private WatchResponse receive(Duration wait) {
    if (stream == null || resumeNeeded) {
      open();
    }
    return stream.poll(wait);
  }

  private void open() {
    heldRow = null;
    if (position.inSnapshot()) {
      log.info("Connector {}: taking an initial snapshot{}", connectorName,
          keyPrefix.isEmpty() ? "" : " of the keys under '" + keyPrefix.toStringUtf8() + "'");
    } else {
      log.info("Connector {}: watching the change feed from index {} sub-sequence {} ({})", connectorName,
          position.nextIndex(), position.nextSubSequence(), positionOrigin);
    }
    if (stream == null) {
      stream = client.watch(position.resume().setKeyPrefix(keyPrefix).build());
    } else {
      stream.resumeFrom(position);
    }
    resumeNeeded = false;
  }

  /** Hands out the rest of the current response, up to the batch limit. */
  private void drainCurrent(List<FeedItem> out, int maxEvents) {
    while (nextEvent < current.getEventsCount() && out.size() < maxEvents) {
      ChangeEvent e = current.getEvents(nextEvent++);
      if (!emitKey.test(e.getKey())) {
        continue;
      }
      if (position.inSnapshot()) {
        position = position.afterEvent(e);
        if (heldRow != null) {
          out.add(new FeedItem(heldRow, position, SnapshotMarker.TRUE));
        }
        heldRow = e;
      } else {
        position = position.afterEvent(e);
        positionOrigin = "the last change emitted";
        out.add(new FeedItem(e, position, SnapshotMarker.FALSE));
      }
    }
    if (nextEvent < current.getEventsCount()) {
      return;
    }
    if (current.getSnapshotDone()) {
      position = FeedPosition.afterSnapshotDone(current.getSnapshotIndex());
      positionOrigin = "the end of the snapshot at index " + current.getSnapshotIndex();
      if (heldRow != null) {
        out.add(new FeedItem(heldRow, position, SnapshotMarker.LAST));
        heldRow = null;
      }
      log.info("Connector {}: initial snapshot at index {} done; streaming the changes after it", connectorName,
          current.getSnapshotIndex());
    }
    current = null;
  }

  /**
   * Deals with a failed watch: reopens it where that is safe.
   *
   * @return whether to go on reading in this poll
   */
  private boolean recover(RaftKvException e, boolean nothingRead) {
    current = null;
    heldRow = null;
    resumeNeeded = true;
    if (e.code() == Error.Code.COMPACTED) {
      if (onCompacted == OnCompacted.SNAPSHOT) {
        log.warn("Connector {}: {}; taking a new snapshot (raftkv.on.compacted=snapshot)", connectorName,
            compactedProblem(e));
        position = FeedPosition.snapshot(0);
        positionOrigin = "a snapshot after the feed was compacted";
        return true;
      }
      throw new ConnectException(compactedProblem(e) + ". To recover, either set raftkv.on.compacted=snapshot "
          + "(the task then takes a new snapshot of every key and streams from there), or stop the connector, "
          + "reset its offsets (DELETE /connectors/" + connectorName + "/offsets) and start it with "
          + "raftkv.start=snapshot. To keep this from happening, keep more of the feed on the servers "
          + "(--feed-retention-entries, --feed-retention-age)", e);
    }
    if (e.code() == Error.Code.UNAVAILABLE) {
      if (position.inSnapshot()) {
        log.warn("Connector {}: the initial snapshot was cut off ({}); taking it again", connectorName,
            e.getMessage());
        position = FeedPosition.snapshot(0);
      }
      if (nothingRead) {
        throw new RetriableException("the RaftKV change feed is unavailable (" + e.getMessage() + "); retrying", e);
      }
      return false;
    }
    throw new ConnectException("RaftKV refused to stream the change feed from " + SourceOffset.describe(position)
        + " (" + positionOrigin + "): " + e.code() + ": " + e.getMessage(), e);
  }

  private String compactedProblem(RaftKvException e) {
    return "the RaftKV change feed no longer holds index " + position.nextIndex() + ", which connector "
        + connectorName + " must resume from (" + positionOrigin + ", offset " + SourceOffset.describe(position)
        + "): the oldest index it holds is " + e.oldestIndex() + ", so the changes before that are gone";
  }

  private void closeStream() {
    current = null;
    heldRow = null;
    if (stream != null) {
      stream.close();
      stream = null;
    }
  }

  @Override
  public void close() {
    closeStream();
  }
}
