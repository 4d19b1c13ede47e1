package io.raftkv.client;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
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
import java.util.concurrent.ConcurrentHashMap;
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
   * The server keeps a client's answers for 1,024 sequences behind its newest request (SessionPolicy) and
   * refuses a retry of an older one, unsure whether it applied. Staying well inside that span, a write
   * stuck in retries (a failover) holds back new writes instead of having its retry refused.
   */
  static final int MAX_OUTSTANDING_SPAN = 512;
  private final SequenceWindow sequences = new SequenceWindow(MAX_OUTSTANDING_SPAN);
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile String leaderAddress;
  private final AtomicLong roundRobin = new AtomicLong();

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

  // ------------------------------------------------------------------ writes

  public WriteResponse put(ByteString key, ByteString value) {
    return write(List.of(Op.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value)).build()));
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
   * retry after a lost answer carries the same request id and gets the first answer.
   *
   * @throws RaftKvException INVALID_ARGUMENT for a bad request; TIMEOUT if no answer came before the
   *     deadline (the write may or may not have applied)
   */
  public WriteResponse write(List<Op> ops) {
    long sequence = sequences.take(System.nanoTime() + deadline.toNanos());
    try {
      WriteRequest.Builder request = WriteRequest.newBuilder().setClientId(clientId).setSequence(sequence)
          .addAllOps(ops);
      return callLeader((target, deadlineNanos) -> writeBatcher(target)
          .call(request.setAcknowledgedSequence(acknowledged()).build(), deadlineNanos));
    } finally {
      sequences.answered(sequence);
    }
  }

  /** Every sequence at or below this has been answered. */
  private long acknowledged() {
    return sequences.acknowledged();
  }

  // ------------------------------------------------------------------ reads

  /** The key's value and version, linearizably (or from any replica with SERIALIZABLE). */
  public Optional<KeyValue> get(ByteString key, ReadConsistency consistency) {
    GetRequest request = GetRequest.newBuilder().setKey(key).setConsistency(consistency).build();
    // Concurrent gets travel together: one RPC, and one ReadIndex round for the linearizable ones.
    GetResponse response = consistency == ReadConsistency.SERIALIZABLE
        ? callAny(KvRpc.GET, request)
        : callLeader((target, deadlineNanos) -> getBatcher(target).call(request, deadlineNanos));
    return response.getFound() ? Optional.of(response.getKv()) : Optional.empty();
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

  /** One try against one node. */
  private interface Attempt<R> {
    R call(String target, long deadlineNanos);
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
    return callLeader((target, deadlineNanos) -> callOnce(target, method, request.get(), deadlineNanos));
  }

  /**
   * Calls the leader, following NOT_LEADER redirects and retrying retryable failures (unavailable node,
   * stale command, per-attempt timeout) with the same request until the deadline.
   */
  private <R> R callLeader(Attempt<R> attempt) {
    long deadlineNanos = System.nanoTime() + deadline.toNanos();
    RaftKvException last = null;
    int tries = 0;
    while (System.nanoTime() < deadlineNanos) {
      String target = leaderAddress != null ? leaderAddress : nextEndpoint();
      try {
        return attempt.call(target, Math.min(deadlineNanos, System.nanoTime() + MAX_ATTEMPT_NANOS));
      } catch (RaftKvException e) {
        last = e;
        switch (e.code()) {
          case NOT_LEADER -> {
            String hinted = e.leaderAddress().isEmpty() ? null : e.leaderAddress();
            leaderAddress = hinted;
            if (hinted == null) {
              backoff(tries++);
            }
          }
          case UNAVAILABLE, TIMEOUT, STALE_COMMAND, UNKNOWN -> {
            leaderAddress = null;
            backoff(tries++);
          }
          default -> throw e;
        }
      }
    }
    throw new RaftKvException(Error.Code.TIMEOUT, "no answer from the cluster " + endpoints + " within "
        + deadline.toMillis() + " ms" + (last == null ? "" : "; last error: " + last.getMessage()), last);
  }

  private <Q, R> R callAny(MethodDescriptor<Q, R> method, Q request) {
    long deadlineNanos = System.nanoTime() + deadline.toNanos();
    RaftKvException last = null;
    int attempt = 0;
    while (System.nanoTime() < deadlineNanos) {
      try {
        return callOnce(nextEndpoint(), method, request,
            Math.min(deadlineNanos, System.nanoTime() + MAX_ATTEMPT_NANOS));
      } catch (RaftKvException e) {
        last = e;
        if (e.code() == Error.Code.INVALID_ARGUMENT) {
          throw e;
        }
        backoff(attempt++);
      }
    }
    throw new RaftKvException(Error.Code.TIMEOUT, "no node of " + endpoints + " answered within "
        + deadline.toMillis() + " ms" + (last == null ? "" : "; last error: " + last.getMessage()), last);
  }

  String nextEndpoint() {
    return endpoints.get(Math.floorMod(roundRobin.getAndIncrement(), endpoints.size()));
  }

  private static void backoff(int attempt) {
    long millis = Math.min(500, 10L << Math.min(attempt, 6));
    try {
      Thread.sleep(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RaftKvException(Error.Code.UNAVAILABLE, "interrupted while retrying", e);
    }
  }

  ManagedChannel channel(String endpoint) {
    return channels.computeIfAbsent(endpoint,
        // Callbacks only complete futures and start the next batch call: running them on the transport's
        // thread saves a thread hand-off per call.
        e -> Grpc.newChannelBuilder(e, InsecureChannelCredentials.create()).directExecutor()
            .maxInboundMessageSize(MAX_RESPONSE_BYTES).build());
  }

  private <Q, R> R callOnce(String endpoint, MethodDescriptor<Q, R> method, Q request, long deadlineNanos) {
    ManagedChannel channel = channel(endpoint);
    try {
      return ClientCalls.blockingUnaryCall(channel, method,
          CallOptions.DEFAULT.withDeadlineAfter(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS),
          request);
    } catch (StatusRuntimeException e) {
      Error error = ErrorTrailers.fromThrowable(e);
      throw new RaftKvException(error.getCode(), describe(endpoint, error), e, error.getLeaderAddress());
    }
  }

  private static String describe(String endpoint, Error error) {
    return error.getMessage().isEmpty() ? error.getCode() + " from " + endpoint : error.getMessage();
  }

  @Override
  public void close() {
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
