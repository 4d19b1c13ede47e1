package io.raftkv.server.service;

import com.google.protobuf.ByteString;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.Error;
import io.raftkv.api.GetRequest;
import io.raftkv.api.GetResponse;
import io.raftkv.api.KeyValue;
import io.raftkv.api.KvRpc;
import io.raftkv.api.ReadConsistency;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.ScanResponse;
import io.raftkv.api.StatusRequest;
import io.raftkv.api.StatusResponse;
import io.raftkv.api.WriteRequest;
import io.raftkv.server.auth.AccessControl;
import io.raftkv.server.auth.Caller;
import io.raftkv.server.auth.KeyGrants;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.node.NodeStatus;
import io.raftkv.server.node.RaftKvNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The client KV service: writes through raft, linearizable (ReadIndex) or serializable reads, status. */
public final class KvService {
  /** Most keys one scan page returns. */
  public static final int MAX_SCAN_LIMIT = 10_000;

  private final RaftKvNode node;
  private final Executor executor;
  private final OverloadGuards guards;
  private final AdmissionControl admission;
  private final StreamSlots watches;
  private final HeapGauge heap;
  private final InFlightWrites inFlight = new InFlightWrites();
  private final AccessControl access;

  KvService(RaftKvNode node, Executor executor, OverloadGuards guards, AccessControl access) {
    this.node = node;
    this.access = access;
    this.executor = executor;
    this.guards = guards;
    this.admission = guards.admission();
    this.watches = guards.watches();
    this.heap = guards.heap();
  }

  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(KvRpc.SERVICE_DESCRIPTOR)
        .addMethod(KvRpc.WRITE, ServerCalls.asyncUnaryCall(this::write))
        .addMethod(KvRpc.WRITE_BATCH, ServerCalls.asyncUnaryCall(this::writeBatch))
        .addMethod(KvRpc.GET, ServerCalls.asyncUnaryCall(this::get))
        .addMethod(KvRpc.GET_BATCH, ServerCalls.asyncUnaryCall(this::getBatch))
        .addMethod(KvRpc.SCAN, ServerCalls.asyncUnaryCall(this::scan))
        .addMethod(KvRpc.STATUS, ServerCalls.asyncUnaryCall(this::status))
        .addMethod(KvRpc.WATCH, ServerCalls.asyncServerStreamingCall(this::watch))
        .build();
  }

  private void watch(io.raftkv.api.WatchRequest request, StreamObserver<io.raftkv.api.WatchResponse> observer) {
    String problem = request.getKeyPrefix().isEmpty() ? null
        : node.config().limits().keyViolation(request.getKeyPrefix());
    if (problem != null) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, "watch key prefix: " + problem);
      return;
    }
    Error refused = access.refuseReadRange(access.caller(), "watch", request.getKeyPrefix(),
        KeyGrants.prefixEnd(request.getKeyPrefix()));
    if (refused != null) {
      Replies.fail(observer, refused);
      return;
    }
    long applied = node.appliedIndex();
    if (request.getFromIndex() > applied + 1) {
      // etcd answers a watch from a future revision the same way: waiting silently would look like no change.
      Replies.fail(observer, Error.Code.OUT_OF_RANGE, "watch from_index " + request.getFromIndex()
          + " is past node " + node.id() + "'s applied index " + applied + ": start at " + (applied + 1)
          + " or lower (0: the oldest change held)");
      return;
    }
    if (!watches.tryAcquire()) {
      Replies.fail(observer, Error.Code.RESOURCE_EXHAUSTED, "node " + node.id() + " serves " + watches.limit()
          + " watches, its most (max watches): retry later or watch another replica");
      return;
    }
    WatchStream.start(node.changeFeed(),
        (io.grpc.stub.ServerCallStreamObserver<io.raftkv.api.WatchResponse>) observer, executor, request,
        watches::release, guards.timer(), guards.limits().streamIdleTimeout());
  }

  /**
   * Why the request's exactly-once fields contradict each other, or null: an acknowledged sequence at or
   * above the request's own would make the node forget (and refuse every retry of) the request itself.
   */
  static String sessionProblem(WriteRequest request) {
    if (request.getClientId() != 0 && Long.compareUnsigned(request.getAcknowledgedSequence(),
        request.getSequence()) >= 0 && request.getAcknowledgedSequence() != 0) {
      return "acknowledged_sequence " + Long.toUnsignedString(request.getAcknowledgedSequence())
          + " must be below the request's sequence " + Long.toUnsignedString(request.getSequence());
    }
    return null;
  }

  private void write(WriteRequest request, StreamObserver<io.raftkv.api.WriteResponse> observer) {
    String problem = sessionProblem(request);
    if (problem != null) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, problem);
      return;
    }
    Error denied = refuseWrite(access.caller(), request);
    if (denied != null) {
      Replies.fail(observer, denied);
      return;
    }
    CompletableFuture<io.raftkv.api.WriteResponse> already = inFlight.find(request);
    if (already != null) {
      Replies.replyDirect(already, observer); // a retry of a write still being worked on
      return;
    }
    long bytes = request.getSerializedSize();
    NodeException refused = admission.admitWrite(bytes);
    if (refused != null) {
      Replies.fail(observer, refused.error());
      return;
    }
    CompletableFuture<io.raftkv.api.WriteResponse> answer = node.write(request);
    admission.releaseWriteWhenDone(answer, bytes);
    inFlight.track(request, answer);
    Replies.replyDirect(answer, observer);
  }

  /** Refuses a write unless the caller may write every key it touches (a compare-and-set's too), or null. */
  private Error refuseWrite(Caller caller, WriteRequest request) {
    if (caller instanceof Caller.Unrestricted) {
      return null;
    }
    for (io.raftkv.api.Op op : request.getOpsList()) {
      ByteString key = switch (op.getOpCase()) {
        case PUT -> op.getPut().getKey();
        case DELETE -> op.getDelete().getKey();
        case CAS -> op.getCas().getKey();
        case OP_NOT_SET -> null;
      };
      Error refused = key == null ? access.refuseAnonymous(caller) : access.refuseKey(caller, key, true);
      if (refused != null) {
        return refused;
      }
    }
    return request.getOpsCount() == 0 ? access.refuseAnonymous(caller) : null;
  }

  /** Most writes one batch call may carry. */
  public static final int MAX_BATCH_REQUESTS = 4096;

  private void writeBatch(io.raftkv.api.WriteBatchRequest batch,
      StreamObserver<io.raftkv.api.WriteBatchResponse> observer) {
    if (batch.getRequestsCount() > MAX_BATCH_REQUESTS) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, "a write batch has " + batch.getRequestsCount()
          + " requests; at most " + MAX_BATCH_REQUESTS + " are allowed");
      return;
    }
    // Each request is admitted on its own: the refused ones are answered RESOURCE_EXHAUSTED at once, the
    // rest go to the raft loop in one trip.
    int n = batch.getRequestsCount();
    Caller caller = access.caller();
    Error unidentified = access.refuseAnonymous(caller);
    if (unidentified != null) {
      // The whole call fails, not each request: a client's credentials see a dropped token only there.
      Replies.fail(observer, unidentified);
      return;
    }
    List<WriteRequest> admitted = new ArrayList<>(n);
    List<CompletableFuture<io.raftkv.api.WriteResponse>> answers = new ArrayList<>(n);
    List<Integer> admittedAt = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      WriteRequest request = batch.getRequests(i);
      String problem = sessionProblem(request);
      if (problem != null) {
        answers.add(CompletableFuture.failedFuture(NodeException.of(Error.Code.INVALID_ARGUMENT, problem)));
        continue;
      }
      Error denied = refuseWrite(caller, request);
      if (denied != null) {
        answers.add(CompletableFuture.failedFuture(new NodeException(denied)));
        continue;
      }
      CompletableFuture<io.raftkv.api.WriteResponse> already = inFlight.find(request);
      if (already != null) {
        answers.add(already); // a retry of a write still being worked on
        continue;
      }
      NodeException refused = admission.admitWrite(request.getSerializedSize());
      answers.add(refused == null ? null : CompletableFuture.failedFuture(refused));
      if (refused == null) {
        admitted.add(request);
        admittedAt.add(i);
      }
    }
    List<CompletableFuture<io.raftkv.api.WriteResponse>> proposed = node.writeAll(admitted);
    for (int j = 0; j < proposed.size(); j++) {
      admission.releaseWriteWhenDone(proposed.get(j), admitted.get(j).getSerializedSize());
      inFlight.track(admitted.get(j), proposed.get(j));
      answers.set(admittedAt.get(j), proposed.get(j));
    }
    java.util.List<CompletableFuture<io.raftkv.api.WriteResult>> results = new java.util.ArrayList<>(n);
    for (CompletableFuture<io.raftkv.api.WriteResponse> answer : answers) {
      results.add(answer.handle((response, failure) -> failure == null
          ? io.raftkv.api.WriteResult.newBuilder().setResponse(response).build()
          : io.raftkv.api.WriteResult.newBuilder().setError(Replies.toError(failure)).build()));
    }
    // Answered on the thread that completes the last write (the raft loop): building the answer costs less
    // than waking a pool thread to do it.
    Replies.reply(CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)), done -> {
      io.raftkv.api.WriteBatchResponse.Builder out = io.raftkv.api.WriteBatchResponse.newBuilder();
      results.forEach(r -> out.addResults(r.join()));
      return out.build();
    }, observer, Runnable::run);
  }

  private CompletableFuture<Long> barrier(ReadConsistency consistency) {
    if (consistency == ReadConsistency.SERIALIZABLE) {
      return CompletableFuture.completedFuture(node.appliedIndex());
    }
    return admittedBarrier(1);
  }

  /** A ReadIndex barrier for {@code reads} reads, or a RESOURCE_EXHAUSTED failure if they are refused. */
  private CompletableFuture<Long> admittedBarrier(int reads) {
    NodeException refused = admission.admitReads(reads);
    if (refused != null) {
      return CompletableFuture.failedFuture(refused);
    }
    CompletableFuture<Long> barrier = node.readBarrier();
    admission.releaseReadsWhenDone(barrier, reads);
    return barrier;
  }

  /** Why {@code consistency} is not one this node knows (a number from a newer or hostile client), or null. */
  static String consistencyProblem(ReadConsistency consistency) {
    return consistency == ReadConsistency.UNRECOGNIZED ? "consistency is not LINEARIZABLE (0) or SERIALIZABLE (1)"
        : null;
  }

  /** Why a scan bound ({@code field}) is too long to be or to bound a key, or null. */
  private String boundProblem(String field, ByteString bound) {
    int max = node.config().limits().maxKeyBytes();
    return bound.size() > max ? "scan " + field + " is " + bound.size() + " bytes; keys are at most " + max + " bytes"
        : null;
  }

  private void get(GetRequest request, StreamObserver<GetResponse> observer) {
    String problem = node.config().limits().keyViolation(request.getKey());
    if (problem == null) {
      problem = consistencyProblem(request.getConsistency());
    }
    if (problem != null) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, problem);
      return;
    }
    Error refused = access.refuseKey(access.caller(), request.getKey(), false);
    if (refused != null) {
      Replies.fail(observer, refused);
      return;
    }
    Replies.reply(barrier(request.getConsistency()), readIndex -> {
      KeyValue kv = node.get(request.getKey());
      GetResponse.Builder out = GetResponse.newBuilder().setReadIndex(readIndex);
      if (kv != null) {
        out.setFound(true).setKv(kv);
      }
      return out.build();
    }, observer, executor);
  }

  private void getBatch(io.raftkv.api.GetBatchRequest batch, StreamObserver<io.raftkv.api.GetBatchResponse> observer) {
    if (batch.getRequestsCount() > MAX_BATCH_REQUESTS) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, "a get batch has " + batch.getRequestsCount()
          + " requests; at most " + MAX_BATCH_REQUESTS + " are allowed");
      return;
    }
    Caller caller = access.caller();
    Error unidentified = access.refuseAnonymous(caller);
    if (unidentified != null) {
      Replies.fail(observer, unidentified); // the whole call, as for a write batch
      return;
    }
    boolean linearizable = batch.getRequestsList().stream()
        .anyMatch(r -> r.getConsistency() != ReadConsistency.SERIALIZABLE);
    // One ReadIndex round confirms every read of the batch.
    CompletableFuture<Long> barrier = linearizable ? admittedBarrier(batch.getRequestsCount())
        : CompletableFuture.completedFuture(node.appliedIndex());
    Replies.reply(barrier, readIndex -> {
      List<Error> problems = new ArrayList<>(batch.getRequestsCount());
      List<ByteString> keys = new ArrayList<>(batch.getRequestsCount());
      for (GetRequest request : batch.getRequestsList()) {
        String problem = node.config().limits().keyViolation(request.getKey());
        if (problem == null) {
          problem = consistencyProblem(request.getConsistency());
        }
        Error refused = problem == null ? access.refuseKey(caller, request.getKey(), false) : null;
        problems.add(refused != null ? refused : problem == null ? null : Error.newBuilder()
            .setCode(Error.Code.INVALID_ARGUMENT).setMessage(problem).build());
        if (problem == null && refused == null) {
          keys.add(request.getKey());
        }
      }
      Iterator<KeyValue> values = node.getAll(keys).iterator();
      io.raftkv.api.GetBatchResponse.Builder out = io.raftkv.api.GetBatchResponse.newBuilder();
      for (Error problem : problems) {
        if (problem != null) {
          out.addResults(io.raftkv.api.GetResult.newBuilder().setError(problem));
          continue;
        }
        KeyValue kv = values.next();
        GetResponse.Builder r = GetResponse.newBuilder().setReadIndex(readIndex);
        if (kv != null) {
          r.setFound(true).setKv(kv);
        }
        out.addResults(io.raftkv.api.GetResult.newBuilder().setResponse(r));
      }
      return out.build();
    }, observer, executor);
  }

  private void scan(ScanRequest request, StreamObserver<ScanResponse> observer) {
    // limit is a uint32: a negative Java int is a number past 2^31, never a default.
    long limit = Integer.toUnsignedLong(request.getLimit());
    if (limit > MAX_SCAN_LIMIT) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, "scan limit is " + limit + ": expected 0 (the default,"
          + " 1000) to " + MAX_SCAN_LIMIT + " keys per page");
      return;
    }
    String problem = consistencyProblem(request.getConsistency());
    for (String field : new String[] {"start", "end", "prefix"}) {
      if (problem == null) {
        problem = boundProblem(field, field.equals("start") ? request.getStart()
            : field.equals("end") ? request.getEnd() : request.getPrefix());
      }
    }
    if (problem != null) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, problem);
      return;
    }
    ByteString start = request.getStart();
    ByteString end = request.getEnd();
    if (!request.getPrefix().isEmpty()) {
      if (!start.isEmpty() && !start.startsWith(request.getPrefix())) {
        Replies.fail(observer, Error.Code.INVALID_ARGUMENT, "scan start must lie within the prefix");
        return;
      }
      if (start.isEmpty()) {
        start = request.getPrefix();
      }
      ByteString prefixEnd = prefixEnd(request.getPrefix());
      if (end.isEmpty() || (!prefixEnd.isEmpty() && ByteString.unsignedLexicographicalComparator()
          .compare(prefixEnd, end) < 0)) {
        end = prefixEnd;
      }
    }
    if (!end.isEmpty() && ByteString.unsignedLexicographicalComparator().compare(start, end) > 0) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, "scan start is after its end");
      return;
    }
    Error refused = access.refuseReadRange(access.caller(), "scan", start, end);
    if (refused != null) {
      Replies.fail(observer, refused);
      return;
    }
    ByteString from = start;
    ByteString to = end;
    Replies.reply(barrier(request.getConsistency()), readIndex -> node.scan(from, to, request.getLimit(),
        request.getKeysOnly()).toBuilder().setReadIndex(readIndex).build(), observer, executor);
  }

  /** The first key after every key with {@code prefix}; empty when there is none (all 0xFF). */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] bytes = prefix.toByteArray();
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] != (byte) 0xFF) {
        bytes[i]++;
        return ByteString.copyFrom(bytes, 0, i + 1);
      }
    }
    return ByteString.EMPTY;
  }

  private void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
    NodeStatus s = node.status();
    observer.onNext(StatusResponse.newBuilder().setNodeId(s.nodeId()).setClusterId(s.clusterId())
        .setRole(s.role().name()).setTerm(s.term()).setCommitIndex(s.commitIndex())
        .setAppliedIndex(s.appliedIndex()).setLeaderId(s.leaderId())
        .setLeaderClientAddress(s.leaderClientAddress()).setFirstIndex(s.firstIndex())
        .setLastIndex(s.lastIndex()).addAllMembers(s.members()).setHeapUsedBytes(heap.used())
        .setHeapMaxBytes(heap.max()).setHeapPeakBytes(heap.peak()).setHeapAfterGcPeakBytes(heap.afterGcPeak()).build());
    observer.onCompleted();
  }
}
