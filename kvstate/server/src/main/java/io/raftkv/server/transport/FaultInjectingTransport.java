package io.raftkv.server.transport;

import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.node.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-rig fault injection wrapped around a transport: on the way out it cuts links ({@link LinkFilter},
 * blocked peers), drops and delays batches as its {@link NetworkFaultInjector} says; on the way in it
 * refuses what blocked peers send. Production wiring never builds one; `raftkv server --fault-injection`
 * and in-process test clusters do.
 */
public final class FaultInjectingTransport implements Transport, InboundFilter {
  private final Transport inner;
  private final long selfId;
  private final NetworkFaultInjector faults;
  private final LinkFilter links;
  private final SendDelayer delayer;
  private volatile RaftMessageHandler handler;

  /** Wraps {@code inner} with faults set later through {@link #faults()}, and links cut by {@code links}. */
  public FaultInjectingTransport(Transport inner, long selfId, LinkFilter links) {
    this(inner, selfId, new NetworkFaultInjector(selfId), links, new DelayedSends(selfId));
  }

  FaultInjectingTransport(Transport inner, long selfId, NetworkFaultInjector faults, LinkFilter links,
      SendDelayer delayer) {
    this.inner = inner;
    this.selfId = selfId;
    this.faults = faults;
    this.links = links;
    this.delayer = delayer;
  }

  /** The faults in force (none until a rig sets some), e.g. for the SetNetworkFaults admin call. */
  public NetworkFaultInjector faults() {
    return faults;
  }

  @Override
  public boolean refusesFrom(long peer) {
    return faults.blocks(peer);
  }

  private boolean cutOff(long peer) {
    return !links.delivers(selfId, peer) || faults.blocks(peer);
  }

  @Override
  public void start(RaftMessageHandler handler) {
    this.handler = handler;
    inner.start(handler);
  }

  @Override
  public void send(List<Message> messages) {
    List<Message> now = new ArrayList<>(messages.size());
    MessageBatches.byPeer(messages).forEach((to, batch) -> {
      if (cutOff(to)) {
        unreachable(to);
        return;
      }
      long delay = faults.delayMillis();
      if (delay == 0) {
        now.addAll(batch);
      } else if (delay > 0) {
        delayer.later(delay, () -> inner.send(batch));
      }
      // else dropped on the way, silently, as a lossy network does: raft resends what matters
    });
    if (!now.isEmpty()) {
      inner.send(now);
    }
  }

  private void unreachable(long to) {
    RaftMessageHandler h = handler;
    if (h != null) {
      h.reportUnreachable(to);
    }
  }

  @Override
  public void sendSnapshot(Message message) {
    if (cutOff(message.getTo())) {
      RaftMessageHandler h = handler;
      if (h != null) {
        h.reportSnapshot(message.getTo(), SnapshotStatus.FAILURE);
      }
      return;
    }
    inner.sendSnapshot(message);
  }

  @Override
  public void setPeer(long id, String peerAddress) {
    inner.setPeer(id, peerAddress);
  }

  @Override
  public void removePeer(long id) {
    inner.removePeer(id);
  }

  @Override
  public void close() {
    delayer.close();
    inner.close();
  }
}
