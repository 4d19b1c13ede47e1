package io.raftkv.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.ServerCallStreamObserver;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.server.node.OverloadLimits;
import io.raftkv.server.node.PeerInbox;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import io.raftkv.api.tls.PeerIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a peer sends goes to the replica of the group it names; what names none is for group 1. */
class GroupRoutingTest {
  private final GrpcTransport transport = new GrpcTransport("c", 1, "", "");
  private static final PeerAuthentication.Sender PLAINTEXT =
      PeerAuthentication.plaintext("c").sender(new PeerIdentity.None());
  private final PeerInbox inbox = new PeerInbox(4);
  private final GroupPeer second = new GroupPeer(Map.of());
  private final GroupPeer first = new GroupPeer(Map.of(2L, second));
  private final Call call = new Call();
  private final IncomingRaftStream stream =
      IncomingRaftStream.open(PLAINTEXT, () -> first, transport, InboundFilter.ACCEPT_ALL, call);

  @AfterEach
  void close() {
    transport.close();
  }

  private static RaftMessageBatch batch(long groupId) {
    return RaftMessageBatch.newBuilder().setClusterId("c").setFrom(2).setGroupId(groupId)
        .addMessages(Message.newBuilder().setMsgType(MessageType.MsgHeartbeat).setFrom(2).setTo(1)).build();
  }

  @Test
  void aBatchNamingNoGroupIsForGroupOne() {
    stream.onNext(batch(0));
    assertThat(first.received).hasSize(1);
    assertThat(second.received).isEmpty();
  }

  @Test
  void aBatchGoesToThePeerOfTheGroupItNames() {
    stream.onNext(batch(2));
    assertThat(second.received).hasSize(1);
    assertThat(first.received).isEmpty();
  }

  @Test
  void aBatchForAGroupWithNoReplicaHereIsDroppedAndItsSlotFreed() {
    stream.onNext(batch(9));
    assertThat(first.received).isEmpty();
    assertThat(second.received).isEmpty();
    assertThat(inbox.reserved()).isEqualTo(1); // only the slot for the next batch
    assertThat(call.requested).isEqualTo(2);
  }

  @Test
  void aSnapshotForAGroupWithNoReplicaHereIsRefusedNamingTheGroup() {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger incoming = new AtomicInteger();
    try {
      IncomingSnapshotStream snapshot = new IncomingSnapshotStream(PLAINTEXT, () -> first, InboundFilter.ACCEPT_ALL,
          OverloadLimits.DEFAULT, timer, incoming, call);
      snapshot.onNext(SnapshotChunk.newBuilder().setClusterId("c").setGroupId(9)
          .setMessage(Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setFrom(2).setTo(1)).build());
      snapshot.onCompleted();
    } finally {
      timer.shutdownNow();
    }
    assertThat(call.acks).extracting(TransportAck::getError)
        .containsExactly("raft group 9 has no replica on this node");
    assertThat(incoming.get()).isZero();
  }

  /** One group's replica sharing the process's inbox: records the batches it was handed and frees their slots. */
  private final class GroupPeer implements RaftMessageHandler {
    final List<List<Message>> received = new CopyOnWriteArrayList<>();
    private final Map<Long, GroupPeer> others;

    GroupPeer(Map<Long, GroupPeer> others) {
      this.others = others;
    }

    @Override
    public RaftMessageHandler forGroup(long groupId) {
      return groupId == 0 || groupId == 1 ? this : others.get(groupId);
    }

    @Override
    public PeerInbox peerInbox() {
      return inbox;
    }

    @Override
    public void receiveReserved(List<Message> messages) {
      received.add(messages);
      inbox.release();
    }

    @Override
    public void learnClientAddress(long peer, String clientAddress) {}

    @Override
    public void reportUnreachable(long peer) {}

    @Override
    public void reportSnapshot(long peer, SnapshotStatus status) {}

    @Override
    public Iterator<SnapshotKvBatch> readSnapshot(Message snapshotMessage) {
      throw new UnsupportedOperationException("routing tests send no snapshots");
    }

    @Override
    public SnapshotStore.Receiver receiveSnapshot(Message snapshotMessage) {
      throw new UnsupportedOperationException("routing tests receive no snapshots");
    }

    @Override
    public void snapshotReceived(Message snapshotMessage, SnapshotStore.StagedSnapshot staged) {
      throw new UnsupportedOperationException("routing tests receive no snapshots");
    }

    @Override
    public void reportStorageFailure(Throwable failure) {
      throw new UnsupportedOperationException("routing tests receive no snapshots");
    }
  }

  /** The server side of a peer's raft call, counting the batches the stream asked for. */
  private static final class Call extends ServerCallStreamObserver<TransportAck> {
    int requested;
    final List<TransportAck> acks = new CopyOnWriteArrayList<>();

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void disableAutoRequest() {}

    @Override
    public void request(int count) {
      requested += count;
    }

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(TransportAck value) {
      acks.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
