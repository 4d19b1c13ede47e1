package io.raftkv.server.statemachine;

import io.raftkv.server.statemachine.pb.ClientSession;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recently used client session headers, as last written, so applying a client's write does not
 * read RocksDB for its session. A miss falls back to the stored header; the cache is a copy, never the
 * truth. Used by the raft loop thread only.
 */
final class SessionCache {
  private final LinkedHashMap<Long, ClientSession> sessions;

  SessionCache(int capacity) {
    this.sessions = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, ClientSession> eldest) {
        return size() > capacity;
      }
    };
  }

  ClientSession get(long clientId) {
    return sessions.get(clientId);
  }

  void put(long clientId, ClientSession session) {
    sessions.put(clientId, session);
  }

  void remove(long clientId) {
    sessions.remove(clientId);
  }

  void clear() {
    sessions.clear();
  }

  int size() {
    return sessions.size();
  }
}
