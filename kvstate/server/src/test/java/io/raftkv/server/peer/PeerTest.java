package io.raftkv.server.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.server.testing.RecordingTransport;
import io.raftkv.api.Error;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.node.PeerInbox;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.testing.Ops;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A peer alone in its group: its loop applies writes, and a Stop ends it with every request answered. */
class PeerTest {
  @TempDir
  Path dir;
  private StorageEngine engine;
  private Peer peer;

  private Peer startAlone() throws InterruptedException {
    engine = StorageEngine.open(dir, "c", 1);
    peer = Peer.open(1, SinglePeers.alone(dir), engine, new RecordingTransport(), new PeerInbox(8));
    peer.start();
    SinglePeers.awaitLeader(peer);
    return peer;
  }

  @AfterEach
  void close() {
    if (peer != null) {
      peer.stop();
      peer.closeSnapshots();
    }
    if (engine != null) {
      engine.close();
    }
  }

  private static WriteRequest put(String key) {
    return WriteRequest.newBuilder().addOps(Ops.put(key, "v")).build();
  }

  @Test
  void aWriteIsAppliedAndThenReadable() throws Exception {
    startAlone();
    peer.writeAll(List.of(put("a"))).get(0).get(30, TimeUnit.SECONDS);
    assertThat(peer.get(ByteString.copyFromUtf8("a")).getValue().toStringUtf8()).isEqualTo("v");
    assertThat(peer.readBarrier().get(30, TimeUnit.SECONDS)).isLessThanOrEqualTo(peer.appliedIndex());
  }

  @Test
  void stopEndsTheLoopWithNoFailure() throws Exception {
    startAlone();
    peer.stop();
    assertThat(peer.terminated().get(30, TimeUnit.SECONDS)).isNull();
    assertThat(peer.isRunning()).isFalse();
  }

  @Test
  void aRequestAfterStopFailsUnavailable() throws Exception {
    startAlone();
    peer.stop();
    CompletableFuture<WriteResponse> write = peer.writeAll(List.of(put("late"))).get(0);
    assertThat(write).isCompletedExceptionally();
    assertThat(codeOf(write)).isEqualTo(Error.Code.UNAVAILABLE);
    assertThat(codeOf(peer.readBarrier())).isEqualTo(Error.Code.UNAVAILABLE);
  }

  @Test
  void everyWriteRacingWithStopIsAnswered() throws Exception {
    startAlone();
    List<CompletableFuture<WriteResponse>> writes = new ArrayList<>();
    Thread writer = new Thread(() -> {
      for (int i = 0; i < 500; i++) {
        writes.addAll(peer.writeAll(List.of(put("k" + i))));
      }
    });
    writer.start();
    peer.stop();
    writer.join();
    for (CompletableFuture<WriteResponse> write : writes) {
      // applied before the stop, or failed by it: never left waiting
      assertThat(write).isDone();
      if (write.isCompletedExceptionally()) {
        assertThat(codeOf(write)).isEqualTo(Error.Code.UNAVAILABLE);
      }
    }
  }

  private static Error.Code codeOf(CompletableFuture<?> future) {
    try {
      future.join();
      throw new AssertionError("the request succeeded");
    } catch (CompletionException e) {
      return ((NodeException) e.getCause()).error().getCode();
    }
  }
}
