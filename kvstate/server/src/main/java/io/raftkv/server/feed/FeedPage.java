package io.raftkv.server.feed;

import io.raftkv.api.ChangeEvent;
import io.raftkv.api.FeedPosition;
import java.util.List;

/**
 * One read of the change feed: the events found (after the key-prefix filter), the position to read
 * after next (past every event looked at, matching or not), the applied index the read saw, and whether it
 * reached the newest stored event.
 */
public record FeedPage(List<ChangeEvent> events, FeedPosition next, long appliedIndex, boolean caughtUp) {
  public FeedPage {
    events = List.copyOf(events);
  }
}
