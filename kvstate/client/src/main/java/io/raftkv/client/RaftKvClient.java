package io.raftkv.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.raftkv.api.AddMemberRequest;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.CasOp;
import io.raftkv.api.DeleteOp;
import io.raftkv.api.GetRequest;
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
import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.TlsFiles;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The RaftKV Java client: finds the leader among the endpoints, follows redirects, and retries a write
 * with the same request id until its deadline, so each write applies exactly once. Thread-safe.
 *
 * <p>This class is the facade; the work is done by {@link Retrier} (tries, back-off, via
 * {@link RetryPolicy} and {@link LeaderTracker}), {@link WriteSession} (exactly-once sequences),
 * {@link NodeCalls} (one try against one node, batched or unary) over {@link Channels}, and
 * {@link GrpcErrors} (gRPC failures as {@link RaftKvException}s).
 */
public final class RaftKvClient implements AutoCloseable {
  /**
   * The server keeps a client's answers for 1,024 sequences behind its newest request (SessionPolicy) and
   * refuses a retry of an older one, unsure whether it applied. Staying well inside that span, a write
   * stuck in retries (a failover) holds back new writes instead of having its retry refused.
   */
  static final int MAX_OUTSTANDING_SPAN = 512;

  private final List<String> endpoints;
  private final Duration deadline;
  private final WriteSession session;
  private final Optional<ClientTls> tls;
  private final Channels channels;
  private final NodeCalls nodes;
  private final LeaderTracker leaders;
  private final Retrier retrier;
  private final RaftKvAuth auth;

  private RaftKvClient(List<String> endpoints, Duration deadline, long clientId, Channels channels,
      Optional<ClientTls> tls) {
    this.tls = tls;
    this.endpoints = List.copyOf(endpoints);
    this.deadline = deadline;
    this.channels = channels;
    this.nodes = new NodeCalls(channels);
    this.auth = new RaftKvAuth(this);
    this.session = new WriteSession(clientId, MAX_OUTSTANDING_SPAN);
    this.leaders = new LeaderTracker(this.endpoints);
    this.retrier = new Retrier(this.endpoints, deadline, leaders);
  }

  /**
   * A client for the cluster reachable at {@code endpoints} ("host:port" client addresses; any subset of
   * the nodes will do); each call keeps trying for {@code deadline}.
   *
   * @throws IllegalArgumentException naming a malformed endpoint or a deadline that is not positive
   */
  public static RaftKvClient connect(List<String> endpoints, Duration deadline) {
    checkEndpointsAndDeadline(endpoints, deadline);
    return new RaftKvClient(endpoints, deadline, newClientId(), new Channels(), Optional.empty());
  }

  /** A builder of a client for the cluster reachable at {@code endpoints} ("host:port" client addresses). */
  public static Builder builder(List<String> endpoints) {
    return new Builder(endpoints);
  }

  /** Builds a client: where the cluster is, how long each call keeps trying, its TLS and the user it calls as. */
  public static final class Builder {
    private final List<String> endpoints;
    private Duration deadline = Duration.ofSeconds(10);
    private TlsFiles tlsFiles;
    private Channels.PasswordLogin login;

    private Builder(List<String> endpoints) {
      this.endpoints = List.copyOf(endpoints);
    }

    /** How long each call keeps trying (default 10 s). */
    public Builder deadline(Duration deadline) {
      this.deadline = deadline;
      return this;
    }

    /**
     * Speak TLS, checking nodes against {@code files}' trusted CA and, if it has a certificate and key,
     * presenting them (the certificate's common name is the user). Without it the client speaks plaintext,
     * which only a cluster started with {@code --insecure} answers.
     */
    public Builder tls(TlsFiles files) {
      this.tlsFiles = files;
      return this;
    }

    /**
     * Calls as {@code user}, authenticated by {@code password} on each node it calls (a token per node, got
     * when first needed and again when a node drops it). The password is copied and kept in memory.
     *
     * @throws IllegalArgumentException naming a user or password out of bounds
     */
    public Builder credentials(String user, char[] password) {
      if (user.isEmpty() || user.length() > 64 || user.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("user name '" + user + "' is not 1 to 64 characters without control"
            + " characters");
      }
      com.google.protobuf.ByteString bytes = PasswordCredentials.encode(password);
      if (bytes.isEmpty() || bytes.size() > 1024) {
        throw new IllegalArgumentException("a password is 1 to 1024 bytes (UTF-8); this one is " + bytes.size());
      }
      this.login = new Channels.PasswordLogin(user, bytes);
      return this;
    }

    /**
     * The client; its TLS files are checked now.
     *
     * @throws IllegalArgumentException naming a malformed endpoint or a deadline that is not positive
     * @throws BadTlsFileException naming a TLS file that cannot be used and why
     */
    public RaftKvClient build() throws BadTlsFileException {
      checkEndpointsAndDeadline(endpoints, deadline);
      Optional<ClientTls> tls = tlsFiles == null ? Optional.empty() : Optional.of(ClientTls.open(tlsFiles));
      Channels channels = new Channels(tls.map(ClientTls::credentials)
          .orElseGet(io.grpc.InsecureChannelCredentials::create), login);
      return new RaftKvClient(endpoints, deadline, newClientId(), channels, tls);
    }
  }

  private static void checkEndpointsAndDeadline(List<String> endpoints, Duration deadline) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints given: list at least one node as host:port");
    }
    for (String e : endpoints) {
      Endpoints.check(e);
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline is " + deadline + ": it must be positive");
    }
  }

  private static long newClientId() {
    long id;
    do {
      id = new SecureRandom().nextLong();
    } while (id == 0);
    return id;
  }

  /** Users, roles, permissions and the auth flag of the cluster. */
  public RaftKvAuth auth() {
    return auth;
  }

  /** This client's id in the cluster's sessions (random, never 0). */
  public long clientId() {
    return session.clientId();
  }

  /**
   * How many times a node refused one of this client's requests as overloaded (RESOURCE_EXHAUSTED); each
   * was retried after a back-off, and reaches the caller only if its deadline ran out.
   */
  public long refusals() {
    return retrier.refusals();
  }

  // ------------------------------------------------------------------ writes

  /**
   * Sets {@code key} to {@code value}; the answer's {@link WriteResponse#getIndex()} is the key's new
   * version. It carries no previous value (a put seldom needs it, and leaving it out spares the cluster
   * storing and sending it): {@link #write(List, boolean)} asks for it.
   */
  public WriteResponse put(ByteString key, ByteString value) {
    return Futures.await(putAsync(key, value));
  }

  /** Deletes {@code key}; the answer carries its previous value. */
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
    return Futures.await(writeAsync(ops));
  }

  /** {@link #write(List)}; with {@code withPrevious} false the answer's results leave out the previous values. */
  public WriteResponse write(List<Op> ops, boolean withPrevious) {
    return Futures.await(writeAsync(ops, withPrevious));
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
    long deadlineNanos = callDeadline();
    return session.write(WriteRequest.newBuilder().addAllOps(ops).setOmitPrevious(!withPrevious),
        // More than MAX_OUTSTANDING_SPAN writes are out behind an unanswered one: wait, up to the deadline.
        giveUp -> retrier.schedule(giveUp, deadline.toNanos()),
        tryRequest -> retrier.callLeader(deadlineNanos, (target, attemptDeadline) ->
            nodes.write(target, tryRequest.build(), attemptDeadline)));
  }

  /** {@link #put} without blocking; see {@link #writeAsync}. */
  public CompletableFuture<WriteResponse> putAsync(ByteString key, ByteString value) {
    return writeAsync(List.of(Op.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value)).build()), false);
  }

  // ------------------------------------------------------------------ reads

  /** The key's value and version, linearizably (or from any replica with SERIALIZABLE). */
  public Optional<KeyValue> get(ByteString key, ReadConsistency consistency) {
    return Futures.await(getAsync(key, consistency));
  }

  /** {@link #get} without blocking; see {@link #writeAsync} for where callbacks run. */
  public CompletableFuture<Optional<KeyValue>> getAsync(ByteString key, ReadConsistency consistency) {
    GetRequest request = GetRequest.newBuilder().setKey(key).setConsistency(consistency).build();
    long deadlineNanos = callDeadline();
    // Concurrent gets travel together: one RPC, and one ReadIndex round for the linearizable ones.
    CompletableFuture<GetResponse> response = consistency == ReadConsistency.SERIALIZABLE
        ? retrier.callAny(deadlineNanos, (target, attemptDeadline) -> nodes.unary(target, KvRpc.GET, request,
            attemptDeadline))
        : retrier.callLeader(deadlineNanos, (target, attemptDeadline) -> nodes.get(target, request,
            attemptDeadline));
    return response.thenApply(r -> r.getFound() ? Optional.of(r.getKv()) : Optional.empty());
  }

  /** The key's value and version, linearizably. */
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

  /**
   * Subscribes to the change feed of one node (any replica; the client picks one and moves to another if
   * it fails, resuming after the last change received). See {@link ChangeStream}.
   */
  public ChangeStream watch(WatchRequest request) {
    return new ChangeStream(this, request);
  }

  /** The status of the node at {@code endpoint} (that node only; no retries elsewhere). */
  public StatusResponse status(String endpoint) {
    return Futures.await(nodes.unary(endpoint, KvRpc.STATUS, StatusRequest.getDefaultInstance(),
        callDeadline()));
  }

  /** The endpoints given to {@link #connect}. */
  public List<String> endpoints() {
    return endpoints;
  }

  /** The cluster's members, as any node knows them. */
  public ListMembersResponse members() {
    return callAny(AdminRpc.LIST_MEMBERS, ListMembersRequest.getDefaultInstance());
  }

  /** Adds {@code member} to the cluster (through the leader). */
  public MembershipResponse addMember(Member member) {
    return callLeader(AdminRpc.ADD_MEMBER, () -> AddMemberRequest.newBuilder().setMember(member).build());
  }

  /** Removes the member {@code id} from the cluster (through the leader). */
  public MembershipResponse removeMember(long id) {
    return callLeader(AdminRpc.REMOVE_MEMBER, () -> RemoveMemberRequest.newBuilder().setId(id).build());
  }

  /** Hands leadership to {@code transferee}; returns the leader id the node answered with. */
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

  private long callDeadline() {
    return System.nanoTime() + deadline.toNanos();
  }

  <Q, R> R callLeader(MethodDescriptor<Q, R> method, Supplier<Q> request) {
    return Futures.await(retrier.callLeader(callDeadline(),
        (target, attemptDeadline) -> nodes.unary(target, method, request.get(), attemptDeadline)));
  }

  <Q, R> R callAny(MethodDescriptor<Q, R> method, Q request) {
    return Futures.await(retrier.callAny(callDeadline(),
        (target, attemptDeadline) -> nodes.unary(target, method, request, attemptDeadline)));
  }

  /** How long a call keeps trying (given to {@link #connect}). */
  Duration deadline() {
    return deadline;
  }

  /** The next endpoint in turn (a change stream's next node). */
  String nextEndpoint() {
    return leaders.nextEndpoint();
  }

  /** The channel to {@code endpoint} (a change stream's or backup's). */
  ManagedChannel channel(String endpoint) {
    return channels.to(endpoint);
  }

  @Override
  public void close() {
    retrier.close();
    channels.close();
    tls.ifPresent(ClientTls::close);
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
