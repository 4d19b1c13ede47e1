package io.raftkv.server.feed;

/** The node is stopping: the change feed can no longer be read. */
public final class FeedClosedException extends RuntimeException {
  public FeedClosedException() {
    super("the node is shutting down; watch another node");
  }
}
