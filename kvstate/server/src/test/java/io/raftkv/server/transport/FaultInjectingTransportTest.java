package io.raftkv.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.NetworkFaults;
import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.node.Transport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault-injection decorator cuts, drops and delays as told, in front of a fake inner transport. */
class FaultInjectingTransportTest {
  private final FakeTransport inner = new FakeTransport();
  private final RecordingDelayer delayer = new RecordingDelayer();
  private final RecordingHandler handler = new RecordingHandler();
  private final NetworkFaultInjector faults = new NetworkFaultInjector(1);
  private volatile boolean linkTo3Open = true;
  private FaultInjectingTransport transport;

  @BeforeEach
  void start() {
    transport = new FaultInjectingTransport(inner, 1, faults, (from, to) -> to != 3 || linkTo3Open, delayer);
    transport.start(handler);
  }

  private static Message to(long peer, long index) {
    return Message.newBuilder().setFrom(1).setTo(peer).setIndex(index).build();
  }

  private static Message snapshotTo(long peer) {
    return Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setFrom(1).setTo(peer).build();
  }

  private static NetworkFaults faults(double dropRate, int maxDelayMs, Long... blocked) {
    return NetworkFaults.newBuilder().setDropRate(dropRate).setMaxDelayMs(maxDelayMs).setSeed(7)
        .addAllBlockedPeers(List.of(blocked)).build();
  }

  @Test
  void startHandsTheSameHandlerToTheInnerTransport() {
    assertThat(inner.handler).isSameAs(handler);
  }

  @Test
  void withoutFaultsEveryMessageGoesToTheInnerTransportAtOnce() {
    transport.send(List.of(to(2, 1), to(3, 2), to(2, 3)));

    assertThat(inner.sent).containsExactly(to(2, 1), to(2, 3), to(3, 2));
    assertThat(delayer.held).isEmpty();
    assertThat(handler.unreachable).isEmpty();
  }

  @Test
  void aBlockedPeerIsReportedUnreachableAndTheOthersStillGetTheirMessages() {
    faults.set(faults(0, 0, 2L));

    transport.send(List.of(to(2, 1), to(3, 2)));

    assertThat(inner.sent).containsExactly(to(3, 2));
    assertThat(handler.unreachable).containsExactly(2L);
  }

  @Test
  void aCutLinkIsReportedUnreachableUntilTheFilterDeliversAgain() {
    linkTo3Open = false;
    transport.send(List.of(to(3, 1)));
    assertThat(inner.sent).isEmpty();
    assertThat(handler.unreachable).containsExactly(3L);

    linkTo3Open = true;
    transport.send(List.of(to(3, 2)));
    assertThat(inner.sent).containsExactly(to(3, 2));
  }

  @Test
  void aDropRateOfOneLosesEveryBatchSilently() {
    faults.set(faults(1, 0));

    transport.send(List.of(to(2, 1), to(3, 2)));

    assertThat(inner.sent).isEmpty();
    assertThat(delayer.held).isEmpty();
    assertThat(handler.unreachable).as("a lossy network reports nothing").isEmpty();
  }

  @Test
  void delayedBatchesReachTheInnerTransportOnlyWhenTheirDelayIsUp() {
    faults.set(faults(0, 50));

    for (int i = 0; i < 20; i++) {
      transport.send(List.of(to(2, i)));
    }

    assertThat(delayer.held).as("with a seed of 7 some of 20 batches are held").isNotEmpty();
    assertThat(delayer.held).allSatisfy(h -> assertThat(h.millis()).isBetween(1L, 50L));
    assertThat(inner.sent).hasSize(20 - delayer.held.size());
    delayer.held.forEach(h -> h.send().run());
    assertThat(inner.sent).hasSize(20);
  }

  @Test
  void aSnapshotToABlockedOrCutOffPeerFailsAtOnceAndOthersPassThrough() {
    faults.set(faults(0, 0, 2L));
    linkTo3Open = false;

    transport.sendSnapshot(snapshotTo(2));
    transport.sendSnapshot(snapshotTo(3));
    transport.sendSnapshot(snapshotTo(4));

    assertThat(handler.snapshots).containsEntry(2L, SnapshotStatus.FAILURE)
        .containsEntry(3L, SnapshotStatus.FAILURE).doesNotContainKey(4L);
    assertThat(inner.snapshots).containsExactly(snapshotTo(4));
  }

  @Test
  void onlyBlockedPeersAreRefusedOnReceipt() {
    faults.set(faults(0, 0, 2L));
    linkTo3Open = false; // a cut link only stops what we send

    assertThat(transport.refusesFrom(2)).isTrue();
    assertThat(transport.refusesFrom(3)).isFalse();
    assertThat(transport.refusesFrom(4)).isFalse();
  }

  @Test
  void peersAndCloseReachTheInnerTransport() {
    transport.setPeer(2, "127.0.0.1:9");
    transport.removePeer(3);
    transport.close();

    assertThat(inner.calls).containsExactly("setPeer 2 127.0.0.1:9", "removePeer 3", "close");
    assertThat(delayer.closed).isTrue();
  }

  /** Records what reaches it. */
  private static final class FakeTransport implements Transport {
    final List<Message> sent = new ArrayList<>();
    final List<Message> snapshots = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    RaftMessageHandler handler;

    @Override
    public void start(RaftMessageHandler handler) {
      this.handler = handler;
    }

    @Override
    public void send(List<Message> messages) {
      sent.addAll(messages);
    }

    @Override
    public void sendSnapshot(Message message) {
      snapshots.add(message);
    }

    @Override
    public void setPeer(long id, String peerAddress) {
      calls.add("setPeer " + id + " " + peerAddress);
    }

    @Override
    public void removePeer(long id) {
      calls.add("removePeer " + id);
    }

    @Override
    public void close() {
      calls.add("close");
    }
  }

  /** A send held back, and for how long. */
  private record Held(long millis, Runnable send) {}

  /** Holds delayed sends for the test to run. */
  private static final class RecordingDelayer implements SendDelayer {
    final List<Held> held = new ArrayList<>();
    boolean closed;

    @Override
    public void later(long millis, Runnable send) {
      held.add(new Held(millis, send));
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
