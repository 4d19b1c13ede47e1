package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link ReadOnly}: queuing ReadIndex requests, counting acknowledgements and releasing in order. */
class ReadOnlyTest {

  private static ByteString ctx(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static Message request(String context) {
    return Message.newBuilder().setMsgType(MessageType.MsgReadIndex).setFrom(2)
        .addEntries(Entry.newBuilder().setData(ctx(context))).build();
  }

  private static List<String> contexts(List<ReadOnly.PendingRead> reads) {
    return reads.stream().map(r -> r.request.getEntries(0).getData().toStringUtf8()).toList();
  }

  @Test
  void nothingPendingMeansNoContextToSend() {
    ReadOnly ro = new ReadOnly();

    assertThat(ro.lastPendingRequestContext()).isNull();
    assertThat(ro.recvAck(1, ctx("a"))).isNull();
    assertThat(ro.advance(ctx("a"))).isEmpty();
  }

  @Test
  void addRequestQueuesTheRequestAtTheCommitIndexGiven() {
    ReadOnly ro = new ReadOnly();
    Message req = request("a");

    ro.addRequest(5, req);

    assertThat(ro.lastPendingRequestContext()).isEqualTo(ctx("a"));
    List<ReadOnly.PendingRead> released = ro.advance(ctx("a"));
    assertThat(released).hasSize(1);
    assertThat(released.get(0).index).isEqualTo(5);
    assertThat(released.get(0).request).isSameAs(req);
  }

  @Test
  void lastPendingRequestContextIsTheNewestRequest() {
    ReadOnly ro = new ReadOnly();

    ro.addRequest(5, request("a"));
    ro.addRequest(6, request("b"));

    assertThat(ro.lastPendingRequestContext()).isEqualTo(ctx("b"));
  }

  @Test
  void aRequestWithAContextAlreadyPendingIsQueuedOnce() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, request("a"));
    ro.addRequest(6, request("b"));

    ro.addRequest(7, request("a"));

    assertThat(ro.lastPendingRequestContext()).isEqualTo(ctx("b"));
    List<ReadOnly.PendingRead> released = ro.advance(ctx("b"));
    assertThat(contexts(released)).containsExactly("a", "b");
    assertThat(released.get(0).index).as("the first request's index is kept").isEqualTo(5);
  }

  @Test
  void recvAckAccumulatesDistinctAcknowledgers() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, request("a"));

    assertThat(ro.recvAck(1, ctx("a"))).containsExactly(1L);
    assertThat(ro.recvAck(2, ctx("a"))).containsExactlyInAnyOrder(1L, 2L);
    assertThat(ro.recvAck(2, ctx("a"))).as("an ack repeated counts once").containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void acknowledgementsAreCountedPerRequest() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, request("a"));
    ro.addRequest(6, request("b"));

    ro.recvAck(1, ctx("a"));
    ro.recvAck(2, ctx("a"));

    assertThat(ro.recvAck(3, ctx("b"))).containsExactly(3L);
  }

  @Test
  void recvAckForAnUnknownContextReturnsNull() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, request("a"));

    assertThat(ro.recvAck(1, ctx("zzz"))).isNull();
    assertThat(ro.recvAck(1, ByteString.EMPTY)).isNull();
  }

  @Test
  void advanceReleasesTheRequestAndEveryEarlierOneInOrder() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, request("a"));
    ro.addRequest(6, request("b"));
    ro.addRequest(7, request("c"));

    List<ReadOnly.PendingRead> released = ro.advance(ctx("b"));

    assertThat(contexts(released)).containsExactly("a", "b");
    assertThat(released).extracting(r -> r.index).containsExactly(5L, 6L);
    assertThat(ro.lastPendingRequestContext()).isEqualTo(ctx("c"));
    assertThat(ro.recvAck(1, ctx("a"))).as("released requests are forgotten").isNull();
    assertThat(ro.advance(ctx("a"))).isEmpty();
    assertThat(contexts(ro.advance(ctx("c")))).containsExactly("c");
    assertThat(ro.lastPendingRequestContext()).isNull();
  }

  @Test
  void advanceOfAnUnknownContextReleasesNothing() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, request("a"));
    ro.addRequest(6, request("b"));

    assertThat(ro.advance(ctx("x"))).isEmpty();

    assertThat(ro.lastPendingRequestContext()).isEqualTo(ctx("b"));
    assertThat(contexts(ro.advance(ctx("b")))).containsExactly("a", "b");
  }

  @Test
  void advanceOfTheOldestReleasesOnlyIt() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, request("a"));
    ro.addRequest(6, request("b"));

    assertThat(contexts(ro.advance(ctx("a")))).containsExactly("a");

    assertThat(ro.lastPendingRequestContext()).isEqualTo(ctx("b"));
    assertThat(ro.recvAck(1, ctx("b"))).containsExactly(1L);
  }

  @Test
  void aContextMayBeReusedOnceItsRequestWasReleased() {
    ReadOnly ro = new ReadOnly();
    ro.addRequest(5, request("a"));
    ro.recvAck(1, ctx("a"));
    ro.advance(ctx("a"));

    ro.addRequest(9, request("a"));

    assertThat(ro.recvAck(2, ctx("a"))).as("a fresh request starts without acks").containsExactly(2L);
    List<ReadOnly.PendingRead> released = ro.advance(ctx("a"));
    assertThat(released).hasSize(1);
    assertThat(released.get(0).index).isEqualTo(9);
  }
}
