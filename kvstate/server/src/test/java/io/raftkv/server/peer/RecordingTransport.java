package io.raftkv.server.peer;

import io.raftkv.raft.pb.Message;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.node.Transport;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A transport that delivers nothing and records the peers it was pointed at, for a peer alone in a test. */
final class RecordingTransport implements Transport {
  final Map<Long, String> peers = new ConcurrentHashMap<>();
  volatile RaftMessageHandler handler;
  volatile boolean closed;

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
