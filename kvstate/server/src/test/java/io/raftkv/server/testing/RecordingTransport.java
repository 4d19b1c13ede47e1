package io.raftkv.server.testing;

import io.raftkv.raft.pb.Message;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.node.Transport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A transport that delivers nothing and records whom it was started for, the peers it was pointed at and
 * whether it was closed: for a peer or a store alone in a test.
 */
public final class RecordingTransport implements Transport {
  public final Map<Long, String> peers = new ConcurrentHashMap<>();
  public volatile RaftMessageHandler handler;
  public volatile boolean closed;

  @Override
  public void start(RaftMessageHandler handler) {
    this.handler = handler;
  }

  @Override
  public void send(List<Message> messages) {}

  @Override
  public void sendSnapshot(Message message) {}

  @Override
  public void setPeer(long id, String peerAddress) {
    peers.put(id, peerAddress);
  }

  @Override
  public void removePeer(long id) {
    peers.remove(id);
  }

  @Override
  public void close() {
    closed = true;
  }
}
