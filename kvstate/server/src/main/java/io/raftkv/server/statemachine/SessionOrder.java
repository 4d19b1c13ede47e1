package io.raftkv.server.statemachine;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every committed client session's last-write log index, least recently written first: the order in which
 * sessions are evicted. A pure function of the replicated session headers (rebuilt from them on open and
 * after a snapshot), so every replica evicts the same sessions at the same index. Raft loop only.
 */
final class SessionOrder {
  /** A session's place in the eviction order: by last-write index, then client id (unsigned). */
  record Stamp(long lastWriteIndex, long clientId) implements Comparable<Stamp> {
    @Override
    public int compareTo(Stamp o) {
      int byIndex = Long.compareUnsigned(lastWriteIndex, o.lastWriteIndex);
      return byIndex != 0 ? byIndex : Long.compareUnsigned(clientId, o.clientId);
    }
  }

  private final Map<Long, Stamp> byClient = new HashMap<>();
  private final TreeSet<Stamp> order = new TreeSet<>();

  int size() {
    return byClient.size();
  }

  /** Records the client's session as last written at {@code lastWriteIndex}. */
  void put(long clientId, long lastWriteIndex) {
    Stamp old = byClient.put(clientId, new Stamp(lastWriteIndex, clientId));
    if (old != null) {
      order.remove(old);
    }
    order.add(byClient.get(clientId));
  }

  void remove(long clientId) {
    Stamp old = byClient.remove(clientId);
    if (old != null) {
      order.remove(old);
    }
  }

  /** The least recently written session after {@code after} (null: the least recently written of all), or null. */
  Stamp next(Stamp after) {
    return after == null ? (order.isEmpty() ? null : order.first()) : order.higher(after);
  }

  void clear() {
    byClient.clear();
    order.clear();
  }
}
