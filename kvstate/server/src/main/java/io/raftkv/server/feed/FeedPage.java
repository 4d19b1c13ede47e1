package io.raftkv.server.feed;

import io.raftkv.api.ChangeEvent;
import java.util.List;

/**
 * One read of the change feed: the events found (after the key-prefix filter), the position to read
 * from next, the applied index the read saw, and whether it reached the newest stored event.
 */
public record FeedPage(List<ChangeEvent> events, long nextIndex, int nextSubSequence, long appliedIndex,
    boolean caughtUp) {
  public FeedPage {
    events = List.copyOf(events);
  }
}
