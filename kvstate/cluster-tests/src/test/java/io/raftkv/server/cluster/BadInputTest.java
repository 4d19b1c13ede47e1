package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftkv.api.AddMemberRequest;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.GetRequest;
import io.raftkv.api.KvRpc;
import io.raftkv.api.Member;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.RemoveMemberRequest;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.TransferLeaderRequest;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.server.statemachine.KvLimits;
import io.raftkv.server.testing.Acks;
import io.raftkv.server.transport.PeerRpc;
import io.raftkv.server.transport.pb.RaftMessageBatch;
import io.raftkv.server.transport.pb.TransportAck;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad requests and bad peers get clear errors naming what is wrong, and the cluster keeps serving. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  @TempDir
  static Path root;

  private InProcessCluster cluster;
  private long leader;

  @BeforeAll
  void start() throws Exception {
    cluster = InProcessCluster.builder(root, 3).partitionable().start();
    leader = cluster.awaitLeader(Duration.ofSeconds(10));
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static WriteRequest put(ByteString key, ByteString value) {
    return WriteRequest.newBuilder().addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value)))
        .build();
  }

  private static ThrowingConsumer<Throwable> refusedWith(Error.Code code, String text) {
    return t -> {
      Error e = ErrorTrailers.fromThrowable(t);
      assertThat(e.getCode()).isEqualTo(code);
      assertThat(e.getMessage()).contains(text);
    };
  }

  private void stillServes() {
    WriteResponse w = cluster.call(leader, KvRpc.WRITE, put(ByteString.copyFromUtf8("ok"), ByteString.copyFromUtf8("1")));
    assertThat(w.getApplied()).isTrue();
  }

  @Test
  void oversizedValueIsRefusedNamingTheLimit() {
    ByteString big = ByteString.copyFrom(new byte[KvLimits.DEFAULT.maxValueBytes() + 1]);
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.WRITE, put(ByteString.copyFromUtf8("k"), big)))
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "at most " + KvLimits.DEFAULT.maxValueBytes()));
    stillServes();
  }

  @Test
  void aBadRequestInABatchCallFailsAloneAndTheOthersApplyInOrder() {
    ByteString big = ByteString.copyFrom(new byte[KvLimits.DEFAULT.maxValueBytes() + 1]);
    io.raftkv.api.WriteBatchResponse answers = cluster.call(leader, KvRpc.WRITE_BATCH,
        io.raftkv.api.WriteBatchRequest.newBuilder()
            .addRequests(put(ByteString.copyFromUtf8("batch-a"), ByteString.copyFromUtf8("1")))
            .addRequests(put(ByteString.copyFromUtf8("batch-b"), big))
            .addRequests(put(ByteString.copyFromUtf8("batch-c"), ByteString.copyFromUtf8("3"))).build());
    assertThat(answers.getResultsCount()).isEqualTo(3);
    assertThat(answers.getResults(0).getResponse().getApplied()).isTrue();
    assertThat(answers.getResults(1).getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(answers.getResults(1).getError().getMessage()).contains("at most " + KvLimits.DEFAULT.maxValueBytes());
    assertThat(answers.getResults(2).getResponse().getApplied()).isTrue();
    // The batch's valid writes are proposed in its order, the bad one skipped.
    assertThat(answers.getResults(2).getResponse().getIndex()).isEqualTo(answers.getResults(0).getResponse().getIndex() + 1);
  }

  @Test
  void aBadKeyInAGetBatchFailsAloneAndTheOthersAreReadInOrder() {
    stillServes(); // "ok" = "1"
    ByteString tooLong = ByteString.copyFrom(new byte[KvLimits.DEFAULT.maxKeyBytes() + 1]);
    io.raftkv.api.GetBatchResponse answers = cluster.call(leader, KvRpc.GET_BATCH,
        io.raftkv.api.GetBatchRequest.newBuilder()
            .addRequests(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("absent-key")))
            .addRequests(GetRequest.newBuilder().setKey(tooLong))
            .addRequests(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("ok"))).build());
    assertThat(answers.getResultsCount()).isEqualTo(3);
    assertThat(answers.getResults(0).getResponse().getFound()).isFalse();
    assertThat(answers.getResults(1).getError().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(answers.getResults(1).getError().getMessage()).contains("at most " + KvLimits.DEFAULT.maxKeyBytes());
    assertThat(answers.getResults(2).getResponse().getFound()).isTrue();
    assertThat(answers.getResults(2).getResponse().getKv().getValue()).isEqualTo(ByteString.copyFromUtf8("1"));
  }

  @Test
  void oversizedKeyIsRefusedNamingTheLimit() {
    ByteString key = ByteString.copyFrom(new byte[KvLimits.DEFAULT.maxKeyBytes() + 1]);
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.WRITE, put(key, ByteString.EMPTY)))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "key is " + (KvLimits.DEFAULT.maxKeyBytes() + 1)));
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.GET, GetRequest.newBuilder().setKey(key).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "at most " + KvLimits.DEFAULT.maxKeyBytes()));
    stillServes();
  }

  @Test
  void emptyKeyAndEmptyWriteAreRefused() {
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.WRITE, put(ByteString.EMPTY, ByteString.EMPTY)))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "key is empty"));
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.WRITE, WriteRequest.getDefaultInstance()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "at least one operation"));
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.WRITE, WriteRequest.newBuilder()
        .addOps(Op.getDefaultInstance()).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "no put, delete or cas"));
    stillServes();
  }

  @Test
  void badScansAreRefused() {
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.SCAN, ScanRequest.newBuilder().setLimit(1_000_000).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "scan limit is 1000000"));
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.SCAN, ScanRequest.newBuilder()
        .setStart(ByteString.copyFromUtf8("z")).setEnd(ByteString.copyFromUtf8("a")).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "start is after its end"));
    stillServes();
  }

  @Test
  void badMembershipRequestsAreRefused() {
    assertThatThrownBy(() -> cluster.call(leader, AdminRpc.ADD_MEMBER, AddMemberRequest.newBuilder()
        .setMember(Member.newBuilder().setId(9)).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "has no peer address"));
    assertThatThrownBy(() -> cluster.call(leader, AdminRpc.REMOVE_MEMBER, RemoveMemberRequest.newBuilder()
        .setId(42).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "node 42 is not a member"));
    assertThatThrownBy(() -> cluster.call(leader, AdminRpc.TRANSFER_LEADER, TransferLeaderRequest.newBuilder()
        .setTransferee(42).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "node 42 is not a voting member"));
    stillServes();
  }

  @Test
  void peerStreamFromAnotherClusterIsRefusedAndGarbageFromAnUnknownNodeIsIgnored() throws Exception {
    String peerAddress = cluster.members().get(leader).getPeerAddress();
    ManagedChannel channel = Grpc.newChannelBuilder(peerAddress, InsecureChannelCredentials.create()).build();
    try {
      java.util.concurrent.CompletableFuture<TransportAck> ack = new java.util.concurrent.CompletableFuture<>();
      var stream = ClientCalls.asyncClientStreamingCall(channel.newCall(PeerRpc.RAFT,
          CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)), Acks.into(ack));
      stream.onNext(RaftMessageBatch.newBuilder().setClusterId("someone-else").setFrom(7).build());
      stream.onCompleted();
      assertThat(ack.get(5, TimeUnit.SECONDS).getError()).contains("not 'someone-else'");

      java.util.concurrent.CompletableFuture<TransportAck> ack2 = new java.util.concurrent.CompletableFuture<>();
      var stream2 = ClientCalls.asyncClientStreamingCall(channel.newCall(PeerRpc.RAFT,
          CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)), Acks.into(ack2));
      // A node that is not a member sends a high-term vote request and nonsense appends.
      stream2.onNext(RaftMessageBatch.newBuilder().setClusterId("test").setFrom(77)
          .addMessages(Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setFrom(77).setTo(leader)
              .setTerm(1).setIndex(1_000_000))
          .addMessages(Message.newBuilder().setMsgType(MessageType.MsgAppend).setFrom(77).setTo(leader)
              .setTerm(0).setIndex(5))
          .addMessages(Message.newBuilder().setMsgType(MessageType.MsgHup).setFrom(77).setTo(leader).setTerm(1))
          .build());
      stream2.onCompleted();
      ack2.get(5, TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow();
    }
    stillServes();
  }

  @Test
  void aNegativeScanLimitIsRefusedNotReadAsTheDefault() {
    // limit is a uint32: -1 from a Java client is 4294967295 on the wire.
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.SCAN, ScanRequest.newBuilder().setLimit(-1).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "scan limit is 4294967295: expected 0 (the default,"
            + " 1000) to 10000"));
    stillServes();
  }

  @Test
  void aWatchFromPastTheAppliedIndexIsAnsweredOutOfRangeNamingIt() throws Exception {
    long applied = cluster.server(leader).node().appliedIndex();
    ManagedChannel channel = Grpc.newChannelBuilder(cluster.members().get(leader).getClientAddress(),
        InsecureChannelCredentials.create()).build();
    try {
      var stream = ClientCalls.blockingServerStreamingCall(channel, KvRpc.WATCH,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          io.raftkv.api.WatchRequest.newBuilder().setFromIndex(applied + 1_000_000).build());
      assertThatThrownBy(stream::hasNext).satisfies(refusedWith(Error.Code.OUT_OF_RANGE,
          "watch from_index " + (applied + 1_000_000) + " is past node " + leader + "'s applied index"));
    } finally {
      channel.shutdownNow();
    }
    // The client asks again for its deadline (a lagging node may catch up), then gives up naming the index.
    try (io.raftkv.client.RaftKvClient client = io.raftkv.client.RaftKvClient.connect(
            java.util.List.of(cluster.members().get(leader).getClientAddress()), Duration.ofSeconds(1));
        io.raftkv.client.ChangeStream feed = client.watch(io.raftkv.api.WatchRequest.newBuilder()
            .setFromIndex(Long.MAX_VALUE).build())) {
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      assertThatThrownBy(() -> {
        while (System.nanoTime() < giveUp) {
          feed.poll(Duration.ofSeconds(1));
        }
      })
          .isInstanceOfSatisfying(io.raftkv.client.RaftKvException.class,
              e -> assertThat(e.code()).isEqualTo(Error.Code.OUT_OF_RANGE))
          .hasMessageContaining("applied index");
    }
    // The next index is the live edge: allowed.
    try (io.raftkv.client.RaftKvClient client = cluster.connectClient();
        io.raftkv.client.ChangeStream feed = client.watch(io.raftkv.api.WatchRequest.newBuilder()
            .setFromIndex(cluster.server(leader).node().appliedIndex() + 1).build())) {
      stillServes();
      assertThat(feed.poll(Duration.ofSeconds(20))).isNotNull();
    }
  }

  @Test
  void anUnknownReadConsistencyOrAnOverlongScanBoundIsRefused() {
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.GET, GetRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("k")).setConsistencyValue(7).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "consistency is not LINEARIZABLE (0) or SERIALIZABLE (1)"));
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.SCAN, ScanRequest.newBuilder().setConsistencyValue(-1)
        .build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "consistency is not LINEARIZABLE"));
    io.raftkv.api.GetBatchResponse batch = cluster.call(leader, KvRpc.GET_BATCH, io.raftkv.api.GetBatchRequest
        .newBuilder().addRequests(GetRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).setConsistencyValue(9))
        .build());
    assertThat(batch.getResults(0).getError().getMessage()).contains("consistency is not LINEARIZABLE");
    ByteString huge = ByteString.copyFrom(new byte[5000]);
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.SCAN, ScanRequest.newBuilder().setPrefix(huge).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "scan prefix is 5000 bytes; keys are at most 4096 bytes"));
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.SCAN, ScanRequest.newBuilder().setEnd(huge).build()))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT, "scan end is 5000 bytes"));
    stillServes();
  }

  @Test
  void anAcknowledgedSequenceAtOrAboveTheRequestsOwnIsRefused() {
    WriteRequest poison = put(ByteString.copyFromUtf8("s"), ByteString.copyFromUtf8("1")).toBuilder()
        .setClientId(77).setSequence(5).setAcknowledgedSequence(5).build();
    assertThatThrownBy(() -> cluster.call(leader, KvRpc.WRITE, poison))
        .satisfies(refusedWith(Error.Code.INVALID_ARGUMENT,
            "acknowledged_sequence 5 must be below the request's sequence 5"));
    WriteRequest fine = put(ByteString.copyFromUtf8("s"), ByteString.copyFromUtf8("2")).toBuilder()
        .setClientId(77).setSequence(6).setAcknowledgedSequence(5).build();
    io.raftkv.api.WriteBatchResponse batch = cluster.call(leader, KvRpc.WRITE_BATCH,
        io.raftkv.api.WriteBatchRequest.newBuilder().addRequests(poison).addRequests(fine).build());
    assertThat(batch.getResults(0).getError().getMessage()).contains("acknowledged_sequence 5 must be below");
    assertThat(batch.getResults(1).getResponse().getApplied()).isTrue();
    stillServes();
  }
}
