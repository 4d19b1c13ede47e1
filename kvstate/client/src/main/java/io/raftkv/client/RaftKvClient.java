package io.raftkv.client;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.AddMemberRequest;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.CasOp;
import io.raftkv.api.DeleteOp;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.GetBatchRequest;
import io.raftkv.api.GetBatchResponse;
import io.raftkv.api.GetRequest;
import io.raftkv.api.GetResult;
import io.raftkv.api.WriteBatchRequest;
import io.raftkv.api.WriteBatchResponse;
import io.raftkv.api.WriteResult;
import io.raftkv.api.GetResponse;
import io.raftkv.api.KeyValue;
import io.raftkv.api.KvRpc;
import io.raftkv.api.ListMembersRequest;
import io.raftkv.api.ListMembersResponse;
import io.raftkv.api.Member;
import io.raftkv.api.MembershipResponse;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.ReadConsistency;
import io.raftkv.api.RemoveMemberRequest;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.ScanResponse;
import io.raftkv.api.StatusRequest;
import io.raftkv.api.StatusResponse;
import io.raftkv.api.TransferLeaderRequest;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The RaftKV Java client: finds the leader among the endpoints, follows redirects, and retries a write
 * with the same request id until its deadline, so each write applies exactly once. Thread-safe.
 */
public final class RaftKvClient implements AutoCloseable {
  /** Largest answer accepted: a batch of gets of 1 MiB values, a 4 MiB scan page, a change feed message. */
  private static final int MAX_RESPONSE_BYTES = 64 << 20;
  private static final long MAX_ATTEMPT_NANOS = TimeUnit.SECONDS.toNanos(3);

  private final List<String> endpoints;
  private final Duration deadline;
  private final long clientId;
  /**
   * A write of this client has been answered, so the cluster has its session: should the cluster evict it,
   * later writes are refused (SESSION_EXPIRED) instead of starting afresh and maybe applying a retry twice.
   */
  private volatile boolean sessionStarted;
  /**
   * The server keeps a client's answers for 1,024 sequences behind its newest request (SessionPolicy) and
   * refuses a retry of an older one, unsure whether it applied. Staying well inside that span, a write
   * stuck in retries (a failover) holds back new writes instead of having its retry refused.
   */
  static final int MAX_OUTSTANDING_SPAN = 512;
  private final SequenceWindow sequences = new SequenceWindow(MAX_OUTSTANDING_SPAN);
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile String leaderAddress;
  private final AtomicLong roundRobin = new AtomicLong();
  private final java.util.concurrent.atomic.LongAdder refusals = new java.util.concurrent.atomic.LongAdder();
  /** Runs retries after their back-off, so no caller's thread sleeps and the async API never blocks. */
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "raftkv-client-retry");
    t.setDaemon(true);
    return t;
  });

  private RaftKvClient(List<String> endpoints, Duration deadline, long clientId) {
    this.endpoints = List.copyOf(endpoints);
    this.deadline = deadline;
    this.clientId = clientId;
  }

  /**
   * A client for the cluster reachable at {@code endpoints} ("host:port" client addresses; any subset of
   * the nodes will do).
   *
   * @throws IllegalArgumentException naming a malformed endpoint
   */
  /** How long a call keeps trying (given to {@link #connect}). */
  Duration deadline() {
    return deadline;
  }

  public static RaftKvClient connect(List<String> endpoints, Duration deadline) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints given: list at least one node as host:port");
    }
    for (String e : endpoints) {
      Endpoints.check(e);
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline is " + deadline + ": it must be positive");
    }
    long id;
    do {
      id = new SecureRandom().nextLong();
    } while (id == 0);
    return new RaftKvClient(endpoints, deadline, id);
  }

  public long clientId() {
    return clientId;
  }

  /**
   * How many times a node refused one of this client's requests as overloaded (RESOURCE_EXHAUSTED); each
   * was retried after a back-off, and reaches the caller only if its deadline ran out.
   */
  public long refusals() {
    return refusals.sum();
  }

  // ------------------------------------------------------------------ writes

  /**
   * Sets {@code key} to {@code value}; the answer's {@link WriteResponse#getIndex()} is the key's new
   * version. It carries no previous value (a put seldom needs it, and leaving it out spares the cluster
   * storing and sending it): {@link #write(List, boolean)} asks for it.
   */
  public WriteResponse put(ByteString key, ByteString value) {
    return await(putAsync(key, value));
  }

  public WriteResponse delete(ByteString key) {
    return write(List.of(Op.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key)).build()));
  }

  /** Sets {@code key} to {@code newValue} only if its value is {@code expected}; see {@link WriteResponse#getApplied()}. */
  public WriteResponse compareAndSetValue(ByteString key, ByteString expected, ByteString newValue) {
    return write(List.of(Op.newBuilder().setCas(CasOp.newBuilder().setKey(key).setExpectedValue(expected)
        .setNewValue(newValue)).build()));
  }

  /** Sets {@code key} only if its version is {@code expectedVersion} (0: only if absent). */
  public WriteResponse compareAndSetVersion(ByteString key, long expectedVersion, ByteString newValue) {
    return write(List.of(Op.newBuilder().setCas(CasOp.newBuilder().setKey(key).setExpectedVersion(expectedVersion)
        .setNewValue(newValue)).build()));
  }

  /**
   * Applies {@code ops} atomically (all, or none if a compare-and-set does not match), exactly once: a
   * retry after a lost answer carries the same request id and gets the first answer. The answer's previous
   * values stop at a budget (4 MiB by default): {@link WriteResponse#getPreviousTruncated()} says some were
   * left out, {@link io.raftkv.api.OpResult#getPreviousOmitted()} which.
   *
   * @throws RaftKvException INVALID_ARGUMENT for a bad request; TIMEOUT if no answer came before the
   *     deadline (the write may or may not have applied); APPLY_REFUSED if the cluster committed the write
   *     but could not apply it (none of it took effect; not retried); SESSION_EXPIRED if the cluster evicted
   *     this client's session (not retried: use a new client)
   */
  public WriteResponse write(List<Op> ops) {
    return await(writeAsync(ops));
  }

  /** {@link #write(List)}; with {@code withPrevious} false the answer's results leave out the previous values. */
  public WriteResponse write(List<Op> ops, boolean withPrevious) {
    return await(writeAsync(ops, withPrevious));
  }

  /**
   * {@link #write} without blocking: the future completes with the answer or fails with a
   * {@link RaftKvException}. Callbacks attached to it may run on the client's network thread: keep them
   * short and never block in them.
   */
  public CompletableFuture<WriteResponse> writeAsync(List<Op> ops) {
    return writeAsync(ops, true);
  }

  /** {@link #writeAsync(List)}; with {@code withPrevious} false the answer's results leave out the previous values. */
  public CompletableFuture<WriteResponse> writeAsync(List<Op> ops, boolean withPrevious) {
    long deadlineNanos = System.nanoTime() + deadline.toNanos();
    CompletableFuture<Long> taken = sequences.take();
    if (!taken.isDone()) {
      // More than MAX_OUTSTANDING_SPAN writes are out behind an unanswered one: wait, up to the deadline.
      retries.schedule(() -> sequences.giveUp(taken), deadline.toNanos(), TimeUnit.NANOSECONDS);
    }
    return taken.thenCompose(sequence -> {
      WriteRequest.Builder request = WriteRequest.newBuilder().setClientId(clientId).setSequence(sequence)
          .addAllOps(ops).setOmitPrevious(!withPrevious);
      CompletableFuture<WriteResponse> answer = callLeaderAsync(deadlineNanos, (target, attemptDeadline) ->
          writeBatcher(target).call(request.setAcknowledgedSequence(acknowledged())
              .setResumesSession(sessionStarted).build(), attemptDeadline));
      answer.whenComplete((response, failure) -> {
        if (response != null) {
          sessionStarted = true; // the cluster holds a session for this client from now on
        }
        sequences.answered(sequence);
      });
      return answer;
    });
  }

  /** {@link #put} without blocking; see {@link #writeAsync}. */
  public CompletableFuture<WriteResponse> putAsync(ByteString key, ByteString value) {
    return writeAsync(List.of(Op.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value)).build()), false);
  }

  /** Every sequence at or below this has been answered. */
  private long acknowledged() {
    return sequences.acknowledged();
  }

  // ------------------------------------------------------------------ reads

  /** The key's value and version, linearizably (or from any replica with SERIALIZABLE). */
  public Optional<KeyValue> get(ByteString key, ReadConsistency consistency) {
    return await(getAsync(key, consistency));
  }

  /** {@link #get} without blocking; see {@link #writeAsync} for where callbacks run. */
  public CompletableFuture<Optional<KeyValue>> getAsync(ByteString key, ReadConsistency consistency) {
    GetRequest request = GetRequest.newBuilder().setKey(key).setConsistency(consistency).build();
    long deadlineNanos = System.nanoTime() + deadline.toNanos();
    // Concurrent gets travel together: one RPC, and one ReadIndex round for the linearizable ones.
    CompletableFuture<GetResponse> response = consistency == ReadConsistency.SERIALIZABLE
        ? callAnyAsync(deadlineNanos, (target, attemptDeadline) -> callOnceAsync(target, KvRpc.GET, request,
            attemptDeadline))
        : callLeaderAsync(deadlineNanos, (target, attemptDeadline) -> getBatcher(target).call(request,
            attemptDeadline));
    return response.thenApply(r -> r.getFound() ? Optional.of(r.getKv()) : Optional.empty());
  }

  public Optional<KeyValue> get(ByteString key) {
    return get(key, ReadConsistency.LINEARIZABLE);
  }

  /** One page of a scan; continue from {@link ScanResponse#getNextStart()} while {@code more}. */
  public ScanResponse scan(ScanRequest request) {
    return request.getConsistency() == ReadConsistency.SERIALIZABLE
        ? callAny(KvRpc.SCAN, request)
        : callLeader(KvRpc.SCAN, () -> request);
  }

  // ------------------------------------------------------------------ status and admin

  /** The status of the node at {@code endpoint}. */
  /**
   * Subscribes to the change feed of one node (any replica; the client picks one and moves to another if
   * it fails, resuming after the last change received). See {@link ChangeStream}.
   */
  public ChangeStream watch(WatchRequest request) {
    return new ChangeStream(this, request);
  }

  public StatusResponse status(String endpoint) {
    return callOnce(endpoint, KvRpc.STATUS, StatusRequest.getDefaultInstance(), System.nanoTime()
        + deadline.toNanos());
  }

  public List<String> endpoints() {
    return endpoints;
  }

  public ListMembersResponse members() {
    return callAny(AdminRpc.LIST_MEMBERS, ListMembersRequest.getDefaultInstance());
  }

  public MembershipResponse addMember(Member member) {
    return callLeader(AdminRpc.ADD_MEMBER, () -> AddMemberRequest.newBuilder().setMember(member).build());
  }

  public MembershipResponse removeMember(long id) {
    return callLeader(AdminRpc.REMOVE_MEMBER, () -> RemoveMemberRequest.newBuilder().setId(id).build());
  }

  public long transferLeader(long transferee) {
    return callLeader(AdminRpc.TRANSFER_LEADER,
        () -> TransferLeaderRequest.newBuilder().setTransferee(transferee).build()).getLeaderId();
  }

  /**
   * Starts a backup served by the node at {@code endpoint}: its state once it holds every write
   * acknowledged before this call. No deadline: a backup takes as long as its size needs.
   */
  public BackupCall backup(String endpoint) {
    return new BackupCall(channel(Endpoints.check(endpoint)), endpoint);
  }

  // ------------------------------------------------------------------ calling

  private interface RequestSupplier<Q> {
    Q get();
  }

  /** One try against one node: its future fails with a {@link RaftKvException}. */
  private interface Attempt<R> {
    CompletableFuture<R> call(String target, long deadlineNanos);
  }

  private CallBatcher<WriteRequest, WriteResponse, WriteBatchRequest, WriteBatchResponse> writeBatcher(
      String endpoint) {
    return writeBatchers.computeIfAbsent(endpoint, e -> new CallBatcher<>(channel(e), e, KvRpc.WRITE_BATCH,
        requests -> WriteBatchRequest.newBuilder().addAllRequests(requests).build(), WriteRequest::getSerializedSize,
        (response, i) -> {
          WriteResult r = response.getResults(i);
          return new CallBatcher.Outcome<>(r.hasResponse() ? r.getResponse() : null, r.hasError() ? r.getError() : null);
        }));
  }

  private CallBatcher<GetRequest, GetResponse, GetBatchRequest, GetBatchResponse> getBatcher(String endpoint) {
    return getBatchers.computeIfAbsent(endpoint, e -> new CallBatcher<>(channel(e), e, KvRpc.GET_BATCH,
        requests -> GetBatchRequest.newBuilder().addAllRequests(requests).build(), GetRequest::getSerializedSize,
        (response, i) -> {
          GetResult r = response.getResults(i);
          return new CallBatcher.Outcome<>(r.hasResponse() ? r.getResponse() : null, r.hasError() ? r.getError() : null);
        }));
  }

  private final Map<String, CallBatcher<WriteRequest, WriteResponse, WriteBatchRequest, WriteBatchResponse>>
      writeBatchers = new ConcurrentHashMap<>();
  private final Map<String, CallBatcher<GetRequest, GetResponse, GetBatchRequest, GetBatchResponse>>
      getBatchers = new ConcurrentHashMap<>();

  private <Q, R> R callLeader(MethodDescriptor<Q, R> method, RequestSupplier<Q> request) {
    return await(callLeaderAsync(System.nanoTime() + deadline.toNanos(),
        (target, deadlineNanos) -> callOnceAsync(target, method, request.get(), deadlineNanos)));
  }

  /**
   * Calls the leader, following NOT_LEADER redirects and retrying retryable failures (unavailable node,
   * stale command, per-attempt timeout) with the same request until the deadline.
   */
  private <R> CompletableFuture<R> callLeaderAsync(long deadlineNanos, Attempt<R> attempt) {
    return new Retrying<>(true, deadlineNanos, attempt).start();
  }

  private <Q, R> R callAny(MethodDescriptor<Q, R> method, Q request) {
    return await(callAnyAsync(System.nanoTime() + deadline.toNanos(),
        (target, deadlineNanos) -> callOnceAsync(target, method, request, deadlineNanos)));
  }

  /** Calls the endpoints in turn until one answers, retrying all but INVALID_ARGUMENT until the deadline. */
  private <R> CompletableFuture<R> callAnyAsync(long deadlineNanos, Attempt<R> attempt) {
    return new Retrying<>(false, deadlineNanos, attempt).start();
  }

  /** One call's tries: the next one after a back-off (on the retry thread), until an answer or the deadline. */
  private final class Retrying<R> {
    private final boolean leaderOnly;
    private final long deadlineNanos;
    private final Attempt<R> attempt;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private RaftKvException last;
    private int backoffs;
    private int overloadBackoffs;

    Retrying(boolean leaderOnly, long deadlineNanos, Attempt<R> attempt) {
      this.leaderOnly = leaderOnly;
      this.deadlineNanos = deadlineNanos;
      this.attempt = attempt;
    }

    CompletableFuture<R> start() {
      tryOnce();
      return result;
    }

    private void tryOnce() {
      if (System.nanoTime() >= deadlineNanos) {
        result.completeExceptionally(new RaftKvException(Error.Code.TIMEOUT, (leaderOnly ? "no answer from the cluster "
            : "no node of ") + endpoints + (leaderOnly ? "" : " answered") + " within " + deadline.toMillis() + " ms"
            + (last == null ? "" : "; last error: " + last.getMessage()), last));
        return;
      }
      String target = leaderOnly && leaderAddress != null ? leaderAddress : nextEndpoint();
      CompletableFuture<R> answer;
      try {
        answer = attempt.call(target, Math.min(deadlineNanos, System.nanoTime() + MAX_ATTEMPT_NANOS));
      } catch (RaftKvException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      answer.whenComplete((value, failure) -> {
        if (failure == null) {
          result.complete(value);
        } else {
          onFailure(unwrap(failure));
        }
      });
    }

    private void onFailure(Throwable failure) {
      if (!(failure instanceof RaftKvException e)) {
        result.completeExceptionally(failure);
        return;
      }
      last = e;
      if (e.getCause() instanceof CallBatcher.QueuedTooLong) {
        // Never sent: this client queues more than the node admits. Not a sign the node is gone, so keep
        // the leader and wait as after a refusal.
        retryAfterOverload();
        return;
      }
      if (e.code() == Error.Code.RESOURCE_EXHAUSTED) {
        // The node is at a load bound and did nothing: back off (growing, with jitter) and try the same
        // node again with the same request, until the deadline.
        refusals.increment();
        retryAfterOverload();
        return;
      }
      if (!leaderOnly) {
        if (e.code() == Error.Code.INVALID_ARGUMENT) {
          result.completeExceptionally(e);
        } else {
          retryAfterBackoff();
        }
        return;
      }
      switch (e.code()) {
        case NOT_LEADER -> {
          String hinted = e.leaderAddress().isEmpty() ? null : e.leaderAddress();
          leaderAddress = hinted;
          if (hinted == null) {
            retryAfterBackoff();
          } else {
            retryAfter(0); // at once, but off this stack: redirects could chain
          }
        }
        case UNAVAILABLE, TIMEOUT, STALE_COMMAND, UNKNOWN -> {
          leaderAddress = null;
          retryAfterBackoff();
        }
        default -> result.completeExceptionally(e);
      }
    }

    /**
     * Back-off after a refusal as overloaded: 50-100 ms, doubling up to 0.5-1 s, with jitter. Longer than
     * after a failover, because a refused write travelled with its value for nothing and the node's queue
     * drains in about a round of replication, not at once.
     */
    private void retryAfterOverload() {
      long millis = Math.min(1000, 100L << Math.min(overloadBackoffs++, 4));
      retryAfter(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    /** Exponential back-off with jitter: 5-10 ms, then doubling up to 250-500 ms. */
    private void retryAfterBackoff() {
      long millis = Math.min(500, 10L << Math.min(backoffs++, 6));
      retryAfter(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    private void retryAfter(long delayMillis) {
      try {
        retries.schedule(this::tryOnce, delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        result.completeExceptionally(new RaftKvException(Error.Code.UNAVAILABLE, "the client is closed", last));
      }
    }
  }

  String nextEndpoint() {
    return endpoints.get(Math.floorMod(roundRobin.getAndIncrement(), endpoints.size()));
  }

  ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(endpoint,
        // Callbacks only complete futures and start the next batch call: running them on the transport's
        // thread saves a thread hand-off per call.
        e -> Grpc.newChannelBuilder(e, InsecureChannelCredentials.create()).directExecutor()
            .maxInboundMessageSize(MAX_RESPONSE_BYTES).build());
  }

  private <Q, R> R callOnce(String endpoint, MethodDescriptor<Q, R> method, Q request, long deadlineNanos) {
    return await(callOnceAsync(endpoint, method, request, deadlineNanos));
  }

  private <Q, R> CompletableFuture<R> callOnceAsync(String endpoint, MethodDescriptor<Q, R> method, Q request,
      long deadlineNanos) {
    CompletableFuture<R> answer = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(channel(endpoint).newCall(method, CallOptions.DEFAULT.withDeadlineAfter(
        Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)), request, new StreamObserver<R>() {
          @Override
          public void onNext(R value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            Error error = ErrorTrailers.fromThrowable(t);
            answer.completeExceptionally(new RaftKvException(error.getCode(), describe(endpoint, error), t,
                error.getLeaderAddress()));
          }

          @Override
          public void onCompleted() {
            answer.completeExceptionally(new RaftKvException(Error.Code.UNKNOWN, endpoint + " sent no answer"));
          }
        });
    return answer;
  }

  /** The future's value, or its {@link RaftKvException} thrown in the caller's thread. */
  private static <R> R await(CompletableFuture<R> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw new RaftKvException(Error.Code.UNAVAILABLE, "interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e.getCause());
      if (cause instanceof RaftKvException r) {
        throw r;
      }
      throw new RaftKvException(Error.Code.UNKNOWN, String.valueOf(cause), cause);
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static String describe(String endpoint, Error error) {
    return error.getMessage().isEmpty() ? error.getCode() + " from " + endpoint : error.getMessage();
  }

  @Override
  public void close() {
    retries.shutdownNow();
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }

  /** The endpoints as a list, from a comma-separated string ("host:port,host:port"). */
  public static List<String> parseEndpoints(String commaSeparated) {
    List<String> out = new ArrayList<>();
    for (String part : commaSeparated.split(",")) {
      String e = part.trim();
      if (!e.isEmpty()) {
        out.add(Endpoints.check(e));
      }
    }
    return out;
  }
}
