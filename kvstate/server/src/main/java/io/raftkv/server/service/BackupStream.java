package io.raftkv.server.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.raftkv.api.BackupBatch;
import io.raftkv.api.BackupChunk;
import io.raftkv.api.BackupFormat;
import io.raftkv.api.BackupHeader;
import io.raftkv.api.BackupTrailer;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.Member;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.StateCut;
import io.raftkv.server.storage.ReplicatedState;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import com.google.protobuf.ByteString;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Backup call: streams a pinned {@link StateCut} as a header, its batches and a checksummed trailer,
 * only while gRPC says the client keeps up (flow control), then frees the cut.
 */
final class BackupStream {
  private static final Logger LOG = LoggerFactory.getLogger(BackupStream.class);

  private final ServerCallStreamObserver<BackupChunk> out;
  private final SerialDrain drain;
  private final MessageDigest digest = BackupFormat.newDigest();
  private volatile boolean finished;
  private final StallGuard stall;
  private final Duration idleTimeout;
  /** Frees the stream's backup slot; runs once, when the stream ends however it ends. */
  private final Runnable onEnd;
  private final AtomicBoolean ended = new AtomicBoolean();
  /** Set by the stall guard; the next send run ends the stream. */
  private volatile boolean stallSeen;
  /** Null until the node pinned its state. */
  private volatile StateCut cut;
  // Touched by one run at a time (runs are serialized by the drain).
  private BackupHeader header;
  private long batches;
  private long entries;
  private long dataKeys;

  private BackupStream(ServerCallStreamObserver<BackupChunk> out, Executor executor, Runnable onEnd,
      ScheduledExecutorService timer, Duration idleTimeout) {
    this.out = out;
    this.onEnd = onEnd;
    this.idleTimeout = idleTimeout;
    this.drain = new SerialDrain(executor, this::sendWhileReady, this::fail);
    this.stall = new StallGuard(timer, idleTimeout, out::isReady, () -> {
      stallSeen = true;
      drain.schedule();
    });
  }

  /**
   * Takes over the call (gRPC accepts its handlers only while the service method runs). {@code onEnd} runs
   * once when the stream ends; a client that reads nothing for {@code idleTimeout} ends it.
   */
  static BackupStream open(ServerCallStreamObserver<BackupChunk> out, Executor executor, Runnable onEnd,
      ScheduledExecutorService timer, Duration idleTimeout) {
    BackupStream stream = new BackupStream(out, executor, onEnd, timer, idleTimeout);
    out.setOnCancelHandler(stream::cancelled);
    out.setOnReadyHandler(() -> {
      stream.stall.progressed();
      stream.schedule();
    });
    return stream;
  }

  private void end() {
    stall.stop();
    if (ended.compareAndSet(false, true)) {
      onEnd.run();
    }
  }

  /**
   * Streams {@code pinned}; {@code known} fills in client addresses the applied member list lacks
   * (founding members announce theirs at run time).
   */
  void begin(StateCut pinned, String clusterId, long nodeId, List<Member> known) {
    header = BackupHeader.newBuilder().setFormatVersion(BackupFormat.VERSION).setClusterId(clusterId)
        .setAppliedIndex(pinned.index()).setAppliedTerm(pinned.term())
        .addAllMembers(withAddresses(pinned.members(), known)).setCreatedAtMs(System.currentTimeMillis())
        .setSourceNodeId(nodeId).setStoreFormatVersion(ReplicatedState.FORMAT_VERSION).build();
    cut = pinned;
    if (finished) {
      pinned.close(); // the client went away while the state was being pinned
      end();
      return;
    }
    stall.progressed(); // the idle clock starts once there is something to read
    LOG.info("node {}: backup started at applied index {}", nodeId, pinned.index());
    schedule();
  }

  /** The state could not be pinned (no leader, node stopping, ...). */
  void failBeforeStart(Throwable failure) {
    finished = true;
    end();
    try {
      out.onError(ErrorTrailers.toException(Replies.toError(failure)));
    } catch (IllegalStateException alreadyClosed) {
      // the call ended meanwhile
    }
  }

  private static List<Member> withAddresses(List<Member> applied, List<Member> known) {
    Map<Long, Member> byId = known.stream().collect(Collectors.toMap(Member::getId, Function.identity(), (a, b) -> a));
    return applied.stream().map(m -> {
      Member k = byId.get(m.getId());
      return m.getClientAddress().isEmpty() && k != null ? m.toBuilder().setClientAddress(k.getClientAddress()).build()
          : m;
    }).toList();
  }

  /** Makes sure a send run follows; runs never overlap and none is lost. */
  private void schedule() {
    if (!finished) {
      drain.schedule();
    }
  }

  private void sendWhileReady() {
    if (stallSeen) {
      if (!finished) {
        fail(new StalledException("backup stalled: the client read nothing for "
            + StallGuard.describe(idleTimeout)));
      }
      return;
    }
    sendWhileReadyLoop();
    if (!finished && cut != null && !out.isReady()) {
      stall.blocked();
    }
  }

  private void sendWhileReadyLoop() {
    while (!finished && cut != null && out.isReady()) {
      if (header != null) {
        send(BackupChunk.newBuilder().setHeader(header).build());
        header = null;
        continue;
      }
      SnapshotKvBatch batch = cut.nextBatch();
      if (batch == null) {
        finished = true;
        BackupTrailer trailer = BackupTrailer.newBuilder().setBatches(batches).setEntries(entries)
            .setDataKeys(dataKeys).setSha256(ByteString.copyFrom(digest.digest())).build();
        cut.close();
        end();
        out.onNext(BackupChunk.newBuilder().setTrailer(trailer).build());
        out.onCompleted();
        return;
      }
      batches++;
      entries += batch.getKeysCount();
      if (batch.getColumnFamily().equals(ColumnFamily.DATA.toString())) {
        dataKeys += batch.getKeysCount();
      }
      send(BackupChunk.newBuilder().setBatch(BackupBatch.newBuilder().setColumnFamily(batch.getColumnFamily())
          .addAllKeys(batch.getKeysList()).addAllValues(batch.getValuesList())).build());
    }
  }

  private void send(BackupChunk chunk) {
    digest.update(chunk.toByteArray());
    out.onNext(chunk);
    stall.progressed();
  }

  private void cancelled() {
    finished = true;
    StateCut pinned = cut;
    if (pinned != null) {
      pinned.close();
    }
    end();
  }

  private void fail(RuntimeException e) {
    if (finished) {
      return; // the client went away meanwhile
    }
    finished = true;
    io.raftkv.api.Error error;
    if (e instanceof StalledException) {
      error = io.raftkv.api.Error.newBuilder().setCode(io.raftkv.api.Error.Code.TIMEOUT)
          .setMessage(e.getMessage()).build();
    } else if (cut.isReleased()) {
      error = io.raftkv.api.Error.newBuilder().setCode(io.raftkv.api.Error.Code.UNAVAILABLE)
          .setMessage(e.getMessage()).build();
    } else {
      LOG.warn("backup stream failed", e);
      error = Replies.toError(e);
    }
    cut.close();
    end();
    try {
      out.onError(ErrorTrailers.toException(error));
    } catch (IllegalStateException alreadyClosed) {
      // the call ended meanwhile
    }
  }
}
