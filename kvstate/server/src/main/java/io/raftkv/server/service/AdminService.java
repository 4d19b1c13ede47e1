package io.raftkv.server.service;

import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.AddMemberRequest;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.BackupChunk;
import io.raftkv.api.BackupRequest;
import io.raftkv.api.Error;
import io.raftkv.api.ListMembersRequest;
import io.raftkv.api.ListMembersResponse;
import io.raftkv.api.Member;
import io.raftkv.api.MembershipResponse;
import io.raftkv.api.RemoveMemberRequest;
import io.raftkv.api.TransferLeaderRequest;
import io.raftkv.api.TransferLeaderResponse;
import io.raftkv.server.auth.AccessControl;
import io.raftkv.server.node.NodeStatus;
import io.raftkv.api.SetNetworkFaultsRequest;
import io.raftkv.api.SetNetworkFaultsResponse;
import io.raftkv.server.node.RaftKvNode;
import io.raftkv.server.transport.NetworkFaultInjector;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin service: list, add and remove members, transfer leadership, stream a backup, inject network faults. */
public final class AdminService {
  private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);

  private final RaftKvNode node;
  private final Executor executor;
  private final Optional<NetworkFaultInjector> faults;
  private final OverloadGuards guards;
  private final AccessControl access;

  /**
   * @param faults the node's fault injector when it runs with --fault-injection; empty, and
   *     SetNetworkFaults is refused
   */
  AdminService(RaftKvNode node, Executor executor, Optional<NetworkFaultInjector> faults, OverloadGuards guards,
      AccessControl access) {
    this.node = node;
    this.access = access;
    this.executor = executor;
    this.faults = faults;
    this.guards = guards;
  }

  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(AdminRpc.SERVICE_DESCRIPTOR)
        .addMethod(AdminRpc.LIST_MEMBERS, ServerCalls.asyncUnaryCall(this::listMembers))
        .addMethod(AdminRpc.ADD_MEMBER, ServerCalls.asyncUnaryCall(this::addMember))
        .addMethod(AdminRpc.REMOVE_MEMBER, ServerCalls.asyncUnaryCall(this::removeMember))
        .addMethod(AdminRpc.TRANSFER_LEADER, ServerCalls.asyncUnaryCall(this::transferLeader))
        .addMethod(AdminRpc.SET_NETWORK_FAULTS, ServerCalls.asyncUnaryCall(this::setNetworkFaults))
        .addMethod(AdminRpc.BACKUP, ServerCalls.asyncServerStreamingCall(this::backup))
        .build();
  }

  /** Whether the caller holds the role admin; else fails the call and says false. */
  private boolean adminOrFail(String call, StreamObserver<?> observer) {
    io.raftkv.api.Error refused = access.refuseUnlessAdmin(access.caller(), call);
    if (refused != null) {
      Replies.fail(observer, refused);
    }
    return refused == null;
  }

  private void listMembers(ListMembersRequest request, StreamObserver<ListMembersResponse> observer) {
    io.raftkv.api.Error refused = access.refuseAnonymous(access.caller());
    if (refused != null) {
      Replies.fail(observer, refused);
      return;
    }
    NodeStatus s = node.status();
    observer.onNext(ListMembersResponse.newBuilder().addAllMembers(s.members()).setLeaderId(s.leaderId()).build());
    observer.onCompleted();
  }

  private void addMember(AddMemberRequest request, StreamObserver<MembershipResponse> observer) {
    if (!adminOrFail("AddMember", observer)) {
      return;
    }
    Member m = request.getMember();
    String problem = m.getId() <= 0 ? "member id is " + m.getId() + ": it must be a positive number"
        : m.getPeerAddress().isBlank() ? "member " + m.getId() + " has no peer address (host:port)"
        : m.getClientAddress().isBlank() ? "member " + m.getId() + " has no client address (host:port)"
        : null;
    if (problem != null) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, problem);
      return;
    }
    Replies.reply(node.addMember(m), members -> MembershipResponse.newBuilder().addAllMembers(members).build(),
        observer, executor);
  }

  private void removeMember(RemoveMemberRequest request, StreamObserver<MembershipResponse> observer) {
    if (!adminOrFail("RemoveMember", observer)) {
      return;
    }
    Replies.reply(node.removeMember(request.getId()),
        members -> MembershipResponse.newBuilder().addAllMembers(members).build(), observer, executor);
  }

  private void transferLeader(TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> observer) {
    if (!adminOrFail("TransferLeader", observer)) {
      return;
    }
    Replies.reply(node.transferLeader(request.getTransferee()),
        leader -> TransferLeaderResponse.newBuilder().setLeaderId(leader).build(), observer, executor);
  }

  private void setNetworkFaults(SetNetworkFaultsRequest request, StreamObserver<SetNetworkFaultsResponse> observer) {
    if (!adminOrFail("SetNetworkFaults", observer)) {
      return;
    }
    if (faults.isEmpty()) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, "node " + node.id() + " does not inject network"
          + " faults: SetNetworkFaults needs a node started with --fault-injection (for test rigs only)");
      return;
    }
    try {
      SetNetworkFaultsResponse response = SetNetworkFaultsResponse.newBuilder()
          .setFaults(faults.get().set(request.getFaults())).build();
      LOG.info("node {} network faults now: blocked peers {}, drop rate {}, delay up to {} ms", node.id(),
          request.getFaults().getBlockedPeersList(), request.getFaults().getDropRate(),
          request.getFaults().getMaxDelayMs());
      observer.onNext(response);
      observer.onCompleted();
    } catch (IllegalArgumentException e) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, e.getMessage());
    }
  }

  /** Pins the state once it holds every acknowledged write (ReadIndex), then streams it. */
  private void backup(BackupRequest request, StreamObserver<BackupChunk> observer) {
    if (!adminOrFail("Backup", observer)) {
      return;
    }
    StreamSlots backups = guards.backups();
    if (!backups.tryAcquire()) {
      Replies.fail(observer, Error.Code.RESOURCE_EXHAUSTED, "node " + node.id() + " serves " + backups.limit()
          + " backups, its most (max backups): retry later or back up from another replica");
      return;
    }
    BackupStream stream = BackupStream.open((ServerCallStreamObserver<BackupChunk>) observer, executor,
        backups::release, guards.timer(), guards.limits().streamIdleTimeout());
    node.openStateCut().whenCompleteAsync((cut, failure) -> {
      if (failure != null) {
        stream.failBeforeStart(failure);
      } else {
        stream.begin(cut, node.config().clusterId(), node.id(), node.status().members());
      }
    }, executor);
  }
}
