package io.raftkv.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.raft.SnapshotStatus;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the gRPC transport reports for peers it cannot reach, without a network. */
class GrpcTransportTest {
  @Test
  void messagesToAnUnknownPeerAreReportedUnreachable() {
    RecordingHandler handler = new RecordingHandler();
    try (GrpcTransport transport = new GrpcTransport(new LocalNode("c", 1, "", ""))) {
      transport.start(handler);
      transport.send(List.of(Message.newBuilder().setTo(7).build(), Message.newBuilder().setTo(8).build()));
    }
    assertThat(handler.unreachable).containsExactly(7L, 8L);
  }

  @Test
  void aSnapshotForAnUnknownPeerFailsAtOnce() {
    RecordingHandler handler = new RecordingHandler();
    try (GrpcTransport transport = new GrpcTransport(new LocalNode("c", 1, "", ""))) {
      transport.start(handler);
      transport.sendSnapshot(Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setTo(7).build());
    }
    assertThat(handler.snapshots).containsEntry(7L, SnapshotStatus.FAILURE);
  }

  @Test
  void aSnapshotThatCanNoLongerBeReadFailsAtOnce() {
    RecordingHandler handler = new RecordingHandler();
    try (GrpcTransport transport = new GrpcTransport(new LocalNode("c", 1, "", ""))) {
      transport.start(handler);
      transport.setPeer(7, "127.0.0.1:1"); // never dialled: the snapshot is unreadable before any send
      transport.sendSnapshot(Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setTo(7).build());
    }
    assertThat(handler.snapshotsRead).containsExactly(7L);
    assertThat(handler.snapshots).containsEntry(7L, SnapshotStatus.FAILURE);
  }

  @Test
  void aPeerThatReachedUsIsLearnedButNeverOurselves() {
    RecordingHandler handler = new RecordingHandler();
    try (GrpcTransport transport = new GrpcTransport(new LocalNode("c", 1, "", ""))) {
      transport.start(handler);
      transport.learnPeer(1, "127.0.0.1:1");
      transport.learnPeer(2, "");
      transport.learnPeer(3, "127.0.0.1:1");
      transport.sendSnapshot(Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setTo(1).build());
      transport.sendSnapshot(Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setTo(2).build());
      transport.sendSnapshot(Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setTo(3).build());
    }
    // 1 (ourselves) and 2 (no address) stay unknown; only for 3, learned, is the data read.
    assertThat(handler.snapshotsRead).containsExactly(3L);
    assertThat(handler.snapshots).containsEntry(1L, SnapshotStatus.FAILURE).containsEntry(2L, SnapshotStatus.FAILURE)
        .containsEntry(3L, SnapshotStatus.FAILURE);
  }
}
