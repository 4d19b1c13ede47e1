package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.KvRpc;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a {@link ChangeStream} goes on after a failure, against a scripted node: the n-th Watch call it
 * receives is answered by the n-th script step, and every request is recorded.
 */
class ChangeStreamResumeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<WatchRequest> requests = new CopyOnWriteArrayList<>();
  private Server server;
  private RaftKvClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.shutdownNow();
    }
  }

  @SafeVarargs
  private ChangeStream watch(WatchRequest request,
      BiConsumer<WatchRequest, StreamObserver<WatchResponse>>... steps) throws Exception {
    ServerServiceDefinition service = ServerServiceDefinition.builder(KvRpc.SERVICE)
        .addMethod(KvRpc.WATCH, ServerCalls.asyncServerStreamingCall((WatchRequest r,
            StreamObserver<WatchResponse> out) -> {
          requests.add(r);
          int call = requests.size() - 1;
          if (call < steps.length) {
            steps[call].accept(r, out);
          }
        }))
        .build();
    server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service).build().start();
    client = RaftKvClient.connect(List.of("127.0.0.1:" + server.getPort()), Duration.ofSeconds(5));
    return client.watch(request);
  }

  private static ChangeEvent change(long index, int sub) {
    return ChangeEvent.newBuilder().setIndex(index).setSubSequence(sub).setOp(ChangeEvent.Op.CREATE)
        .setKey(ByteString.copyFromUtf8("k" + index + "." + sub)).build();
  }

  private static ChangeEvent row(long index, String key) {
    return ChangeEvent.newBuilder().setIndex(index).setOp(ChangeEvent.Op.READ).setKey(ByteString.copyFromUtf8(key))
        .build();
  }

  private static void fail(StreamObserver<WatchResponse> out, Error.Code code, long oldestIndex) {
    out.onError(ErrorTrailers.toException(Error.newBuilder().setCode(code).setMessage("scripted " + code)
        .setOldestIndex(oldestIndex).build()));
  }

  @Test
  void aReconnectContinuesRightAfterTheLastChangeDelivered() throws Exception {
    ByteString prefix = ByteString.copyFromUtf8("k");
    ChangeStream stream = watch(WatchRequest.newBuilder().setFromIndex(5).setKeyPrefix(prefix).build(),
        (r, out) -> {
          out.onNext(WatchResponse.newBuilder().addEvents(change(5, 0)).addEvents(change(5, 1)).setAppliedIndex(4)
              .build());
          fail(out, Error.Code.UNAVAILABLE, 0);
        },
        (r, out) -> out.onNext(WatchResponse.newBuilder().addEvents(change(6, 0)).setAppliedIndex(6).build()));

    assertThat(stream.poll(WAIT).getEventsList()).containsExactly(change(5, 0), change(5, 1));
    assertThat(stream.position()).isEqualTo(FeedPosition.after(5, 1));
    assertThat(stream.poll(WAIT).getEventsList()).containsExactly(change(6, 0));

    assertThat(requests).hasSize(2);
    WatchRequest resumed = requests.get(1);
    assertThat(resumed.getFromIndex()).isEqualTo(5);
    assertThat(resumed.getFromSubSequence()).isEqualTo(2);
    assertThat(resumed.getKeyPrefix()).isEqualTo(prefix);
    assertThat(resumed.getInitialSnapshot()).isFalse();
    assertThat(stream.position()).isEqualTo(FeedPosition.after(6, 0));
    stream.close();
  }

  @Test
  void aCutOffSnapshotEndsThePollAndIsRetakenWhenResumedFromItsPosition() throws Exception {
    ChangeStream stream = watch(WatchRequest.newBuilder().setInitialSnapshot(true).build(),
        (r, out) -> {
          out.onNext(WatchResponse.newBuilder().addEvents(row(9, "a")).build());
          fail(out, Error.Code.UNAVAILABLE, 0);
        },
        (r, out) -> {
          out.onNext(WatchResponse.newBuilder().addEvents(row(11, "a")).addEvents(row(11, "b")).build());
          out.onNext(WatchResponse.newBuilder().setSnapshotDone(true).setSnapshotIndex(11).setAppliedIndex(11)
              .build());
        });

    assertThat(stream.poll(WAIT).getEventsList()).containsExactly(row(9, "a"));
    assertThatThrownBy(() -> stream.poll(WAIT)).isInstanceOfSatisfying(RaftKvException.class,
        e -> assertThat(e.code()).isEqualTo(Error.Code.UNAVAILABLE)).hasMessageContaining("was cut off");
    assertThat(stream.position()).isEqualTo(FeedPosition.snapshot(9));

    stream.resumeFrom(stream.position());
    assertThat(stream.poll(WAIT).getEventsList()).containsExactly(row(11, "a"), row(11, "b"));
    assertThat(stream.poll(WAIT).getSnapshotDone()).isTrue();
    assertThat(requests.get(1).getInitialSnapshot()).isTrue();
    assertThat(stream.position()).isEqualTo(FeedPosition.afterEntry(11));
    stream.close();
  }

  @Test
  void aCompactedPositionSurfacesAsCompactedNamingTheOldestIndexHeld() throws Exception {
    ChangeStream stream = watch(WatchRequest.newBuilder().setFromIndex(3).build(),
        (r, out) -> fail(out, Error.Code.COMPACTED, 8));

    assertThatThrownBy(() -> stream.poll(WAIT)).isInstanceOfSatisfying(RaftKvException.class, e -> {
      assertThat(e.code()).isEqualTo(Error.Code.COMPACTED);
      assertThat(e.oldestIndex()).isEqualTo(8);
    });
    assertThat(requests).hasSize(1);
    assertThat(stream.position()).isEqualTo(FeedPosition.afterEntry(2));
    stream.close();
  }

  @Test
  void resumingFromAnotherPositionAsksForTheChangesRightAfterIt() throws Exception {
    ChangeStream stream = watch(WatchRequest.newBuilder().setFromIndex(3).build(),
        (r, out) -> fail(out, Error.Code.COMPACTED, 8),
        (r, out) -> out.onNext(WatchResponse.newBuilder().addEvents(change(8, 0)).setAppliedIndex(8).build()));
    assertThatThrownBy(() -> stream.poll(WAIT)).isInstanceOf(RaftKvException.class);

    stream.resumeFrom(FeedPosition.afterEntry(7));
    assertThat(stream.poll(WAIT).getEventsList()).containsExactly(change(8, 0));
    assertThat(requests.get(1).getFromIndex()).isEqualTo(8);
    assertThat(requests.get(1).getFromSubSequence()).isZero();
    stream.close();
  }
}
