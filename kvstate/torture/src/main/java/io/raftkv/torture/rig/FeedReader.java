package io.raftkv.torture.rig;

import io.raftkv.api.ChangeEvent;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import io.raftkv.client.ChangeStream;
import io.raftkv.client.RaftKvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads one node's change feed, from its oldest event through a given index. */
final class FeedReader {
  private FeedReader() {}

  /**
   * The events of the node at {@code endpoint} with index at most {@code last}, in feed order.
   *
   * @throws IllegalStateException if the feed does not reach {@code last} within {@code timeout}
   */
  static List<ChangeEvent> read(RigClients clients, String endpoint, long last, Duration timeout) {
    List<ChangeEvent> events = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    long seen = 0;
    // One endpoint only: the stream must not move to another node, or the feeds would not be compared.
    try (RaftKvClient one = clients.connect(List.of(endpoint), Duration.ofSeconds(20));
        ChangeStream stream = one.watch(WatchRequest.getDefaultInstance())) {
      while (seen < last) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the change feed of " + endpoint + " did not reach index " + last
              + " within " + timeout.toSeconds() + " s (it is at " + seen + ")");
        }
        WatchResponse response = stream.poll(Duration.ofMillis(500));
        if (response == null) {
          continue;
        }
        for (ChangeEvent event : response.getEventsList()) {
          seen = Math.max(seen, event.getIndex());
          if (event.getIndex() <= last) {
            events.add(event);
          }
        }
        // The node has sent every change up to its applied index, so nothing below it is still to come.
        seen = Math.max(seen, response.getAppliedIndex());
      }
    }
    return events;
  }
}
