package io.raftkv.connect.source;

import io.raftkv.api.ChangeEvent;
import io.raftkv.api.FeedPosition;

/** One event to emit, with the offset its record carries and whether it is a snapshot row. */
public record FeedItem(ChangeEvent event, FeedPosition offset, SnapshotMarker snapshot) {}
