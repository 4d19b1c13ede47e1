package io.raftkv.server.transport;

import io.raftkv.raft.pb.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Splits raft's outgoing messages into one batch per recipient, keeping their order. */
final class MessageBatches {
  private MessageBatches() {}

  /** The messages grouped by recipient, recipients in order of first appearance. */
  static Map<Long, List<Message>> byPeer(List<Message> messages) {
    Map<Long, List<Message>> byPeer = new LinkedHashMap<>();
    for (Message m : messages) {
      byPeer.computeIfAbsent(m.getTo(), k -> new ArrayList<>()).add(m);
    }
    return byPeer;
  }
}
