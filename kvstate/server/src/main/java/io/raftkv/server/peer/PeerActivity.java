package io.raftkv.server.peer;

import java.util.HashMap;
import java.util.Map;

/** When the node last heard from each peer (loop thread only): which members are alive right now. */
final class PeerActivity {
  private final Map<Long, Long> lastHeardNanos = new HashMap<>();

  /** Records that a message from {@code peer} arrived at {@code nanos} (System.nanoTime). */
  void heard(long peer, long nanos) {
    lastHeardNanos.put(peer, nanos);
  }

  /** Whether {@code peer} was heard from at or after {@code sinceNanos}. */
  boolean heardSince(long peer, long sinceNanos) {
    Long at = lastHeardNanos.get(peer);
    return at != null && at - sinceNanos >= 0;
  }

  void forget(long peer) {
    lastHeardNanos.remove(peer);
  }
}
