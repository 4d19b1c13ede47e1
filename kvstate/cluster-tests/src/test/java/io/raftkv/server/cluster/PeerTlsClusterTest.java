package io.raftkv.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.raft.StateType;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import io.raftkv.server.node.NodeStatus;
import io.raftkv.server.testing.Acks;
import io.raftkv.server.transport.PeerRpc;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.SnapshotChunk;
import io.raftkv.server.transport.pb.TransportAck;
import io.raftkv.testkit.InProcessCluster;
import io.raftkv.testkit.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer port over real TLS on loopback: only a node certificate of this cluster may speak, and only as the node
 * it names; an impostor's raft messages and snapshots are refused and the cluster keeps its term and leader.
 */
class PeerTlsClusterTest {
  @TempDir
  Path root;

  private InProcessCluster cluster;
  private long leader;
  private long follower;
  private long otherFollower;

  @BeforeEach
  void start() throws Exception {
    cluster = InProcessCluster.builder(root, 3).tls().startWithLeader();
    leader = cluster.awaitLeader(Duration.ofSeconds(30));
    follower = leader == 1 ? 2 : 1;
    otherFollower = 6 - leader - follower;
    cluster.client().put(utf8("before"), utf8("1"));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aNodeCertificateSendingAsAnotherNodeIsRefusedAndTheClusterKeepsItsLeader() throws Exception {
    NodeStatus before = cluster.server(leader).node().status();
    // Holding follower's certificate, pose as the other follower: a vote request and an append at a far higher
    // term would depose the leader if they were stepped.
    TransportAck ack = sendRaft(leader, credentials(cluster.certificates().orElseThrow().node(follower)),
        RaftMessageBatch.newBuilder().setClusterId(cluster.clusterId()).setFrom(otherFollower)
            .addMessages(Message.newBuilder().setMsgType(MessageType.MsgRequestVote).setFrom(otherFollower).setTo(leader)
                .setTerm(before.term() + 100).setLogTerm(before.term() + 100).setIndex(1_000_000))
            .addMessages(Message.newBuilder().setMsgType(MessageType.MsgAppend).setFrom(otherFollower).setTo(leader)
                .setTerm(before.term() + 100).setIndex(1).setLogTerm(1)
                .addEntries(Entry.newBuilder().setTerm(before.term() + 100).setIndex(2)))
            .build());

    assertThat(ack.getError()).contains("certificate names node " + follower + " but it sends as node "
        + otherFollower);
    assertClusterUndisturbed(before);
  }

  @Test
  void aClientCertificateFromTheSameCaCannotSpeakOnThePeerPort() throws Exception {
    NodeStatus before = cluster.server(leader).node().status();
    TransportAck ack = sendRaft(leader, credentials(cluster.certificates().orElseThrow().user("admin")),
        RaftMessageBatch.newBuilder().setClusterId(cluster.clusterId()).setFrom(follower)
            .addMessages(Message.newBuilder().setMsgType(MessageType.MsgRequestVote).setFrom(follower).setTo(leader)
                .setTerm(before.term() + 100).setLogTerm(before.term() + 100).setIndex(1_000_000))
            .build());

    assertThat(ack.getError()).contains("a client certificate (user 'admin')").contains("not a node certificate");
    assertClusterUndisturbed(before);
  }

  @Test
  void aSnapshotFromANodePosingAsAnotherIsRefused() throws Exception {
    NodeStatus before = cluster.server(follower).node().status();
    CompletableFuture<TransportAck> ack = new CompletableFuture<>();
    ManagedChannel channel = channelTo(follower, credentials(cluster.certificates().orElseThrow().node(leader)));
    try {
      StreamObserver<SnapshotChunk> stream = ClientCalls.asyncClientStreamingCall(channel.newCall(PeerRpc.SNAPSHOT,
          CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)), Acks.into(ack));
      stream.onNext(SnapshotChunk.newBuilder().setClusterId(cluster.clusterId()).setMessage(Message.newBuilder()
          .setMsgType(MessageType.MsgSnapshot).setFrom(otherFollower).setTo(follower).setTerm(before.term() + 100)
          .setSnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(1_000_000)
              .setTerm(before.term() + 100))))
          .build());
      stream.onCompleted();
      assertThat(ack.get(20, TimeUnit.SECONDS).getError())
          .contains("certificate names node " + leader + " but it sends as node " + otherFollower);
    } finally {
      channel.shutdownNow();
    }
    assertThat(cluster.server(follower).node().status().term()).isEqualTo(before.term());
    assertThat(cluster.get("before")).isPresent();
  }

  @Test
  void aNodeCertificateSendingAsItsOwnNodeIsAccepted() throws Exception {
    TransportAck ack = sendRaft(leader, credentials(cluster.certificates().orElseThrow().node(follower)),
        RaftMessageBatch.newBuilder().setClusterId(cluster.clusterId()).setFrom(follower).build());

    assertThat(ack.getError()).isEmpty();
  }

  @Test
  void aPeerWithoutACertificateOrInPlaintextOrFromAnotherCaCannotConnect() throws Exception {
    TestCertificates strangers = TestCertificates.create(root.resolve("other-ca"), cluster.clusterId());
    RaftMessageBatch batch = RaftMessageBatch.newBuilder().setClusterId(cluster.clusterId()).setFrom(follower)
        .build();
    for (ChannelCredentials credentials : new ChannelCredentials[] {
        credentials(cluster.certificates().orElseThrow().trustOnly()),
        InsecureChannelCredentials.create(),
        credentials(strangers.node(follower))}) {
      assertThat(sendRaftFailure(leader, credentials, batch)).as("credentials %s", credentials).isNotNull();
    }
    assertThat(cluster.server(leader).node().status().role()).isEqualTo(StateType.LEADER);
  }

  private void assertClusterUndisturbed(NodeStatus before) {
    NodeStatus after = cluster.server(leader).node().status();
    assertThat(after.term()).isEqualTo(before.term());
    assertThat(after.role()).isEqualTo(StateType.LEADER);
    cluster.client().put(utf8("after"), utf8("2"));
    assertThat(cluster.getUtf8("after")).isEqualTo("2");
    assertThat(cluster.server(leader).node().status().term()).isEqualTo(before.term());
  }

  private TransportAck sendRaft(long to, ChannelCredentials credentials, RaftMessageBatch batch) throws Exception {
    CompletableFuture<TransportAck> ack = new CompletableFuture<>();
    ManagedChannel channel = channelTo(to, credentials);
    try {
      StreamObserver<RaftMessageBatch> stream = ClientCalls.asyncClientStreamingCall(channel.newCall(PeerRpc.RAFT,
          CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)), Acks.into(ack));
      stream.onNext(batch);
      stream.onCompleted();
      return ack.get(20, TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow();
    }
  }

  /** The failure of a raft call the node must not take; null if it answered. */
  private Throwable sendRaftFailure(long to, ChannelCredentials credentials, RaftMessageBatch batch)
      throws Exception {
    try {
      sendRaft(to, credentials, batch);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private ManagedChannel channelTo(long id, ChannelCredentials credentials) {
    return Grpc.newChannelBuilder(cluster.members().get(id).getPeerAddress(), credentials).build();
  }

  private static ChannelCredentials credentials(TlsFiles files) {
    return TestCertificates.channelCredentials(files);
  }

  private static com.google.protobuf.ByteString utf8(String s) {
    return com.google.protobuf.ByteString.copyFromUtf8(s);
  }
}
