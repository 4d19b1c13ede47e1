package io.raftkv.raft;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's pending ReadIndex requests: each waits for a quorum of heartbeat acknowledgements
 * carrying its context, which proves the leader still led when the read arrived.
 */
final class ReadOnly {
  /** A request, the commit index when it arrived, and who has acknowledged it. */
  static final class PendingRead {
    final Message request;
    final long index;
    final Set<Long> acks = new HashSet<>();

    PendingRead(Message request, long index) {
      this.request = request;
      this.index = index;
    }
  }

  private final Map<ByteString, PendingRead> pending = new HashMap<>();
  private final ArrayDeque<ByteString> queue = new ArrayDeque<>();

  /** Queues {@code request} (its context is its first entry's data) at commit index {@code index}. */
  void addRequest(long index, Message request) {
    ByteString ctx = request.getEntries(0).getData();
    if (pending.containsKey(ctx)) {
      return;
    }
    pending.put(ctx, new PendingRead(request, index));
    queue.addLast(ctx);
  }

  /** Records {@code id}'s acknowledgement of {@code ctx}; returns who has acknowledged it, or null. */
  Set<Long> recvAck(long id, ByteString ctx) {
    PendingRead read = pending.get(ctx);
    if (read == null) {
      return null;
    }
    read.acks.add(id);
    return read.acks;
  }

  /**
   * Releases the request with context {@code ctx} and every request queued before it: a quorum that
   * acknowledged a later heartbeat confirms the earlier reads too.
   */
  List<PendingRead> advance(ByteString ctx) {
    if (!pending.containsKey(ctx)) {
      return List.of();
    }
    List<PendingRead> released = new ArrayList<>();
    while (!queue.isEmpty()) {
      ByteString head = queue.pollFirst();
      released.add(pending.remove(head));
      if (head.equals(ctx)) {
        break;
      }
    }
    return released;
  }

  /** Context of the newest pending request, sent with heartbeats; null when none is pending. */
  ByteString lastPendingRequestContext() {
    return queue.peekLast();
  }
}
