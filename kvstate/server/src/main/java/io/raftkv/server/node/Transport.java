package io.raftkv.server.node;

import io.raftkv.raft.pb.Message;
import java.util.List;

/**
 * How a node reaches its peers. Sending never blocks the raft loop for long; failures come back as
 * {@link RaftMessageHandler#reportUnreachable(long)} and {@link RaftMessageHandler#reportSnapshot}.
 */
public interface Transport extends AutoCloseable {
  /** Starts delivering to {@code handler}; called once it is ready to receive. */
  void start(RaftMessageHandler handler);

  /** Sends raft messages (never MsgSnapshot: those go through {@link #sendSnapshot}). */
  void send(List<Message> messages);

  /** Streams the snapshot a MsgSnapshot refers to, then delivers the message itself. */
  void sendSnapshot(Message message);

  /** Where peer {@code id} listens for raft traffic. */
  void setPeer(long id, String peerAddress);

  void removePeer(long id);

  @Override
  void close();
}
