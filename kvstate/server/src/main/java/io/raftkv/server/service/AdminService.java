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
import io.raftkv.server.node.NodeStatus;
import io.raftkv.server.node.RaftKvNode;
import java.util.concurrent.Executor;

/** The admin service: list, add and remove members, transfer leadership, stream a backup. */
public final class AdminService {
  private final RaftKvNode node;
  private final Executor executor;

  public AdminService(RaftKvNode node, Executor executor) {
    this.node = node;
    this.executor = executor;
  }

  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(AdminRpc.SERVICE_DESCRIPTOR)
        .addMethod(AdminRpc.LIST_MEMBERS, ServerCalls.asyncUnaryCall(this::listMembers))
        .addMethod(AdminRpc.ADD_MEMBER, ServerCalls.asyncUnaryCall(this::addMember))
        .addMethod(AdminRpc.REMOVE_MEMBER, ServerCalls.asyncUnaryCall(this::removeMember))
        .addMethod(AdminRpc.TRANSFER_LEADER, ServerCalls.asyncUnaryCall(this::transferLeader))
        .addMethod(AdminRpc.BACKUP, ServerCalls.asyncServerStreamingCall(this::backup))
        .build();
  }

  private void listMembers(ListMembersRequest request, StreamObserver<ListMembersResponse> observer) {
    NodeStatus s = node.status();
    observer.onNext(ListMembersResponse.newBuilder().addAllMembers(s.members()).setLeaderId(s.leaderId()).build());
    observer.onCompleted();
  }

  private void addMember(AddMemberRequest request, StreamObserver<MembershipResponse> observer) {
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
    Replies.reply(node.removeMember(request.getId()),
        members -> MembershipResponse.newBuilder().addAllMembers(members).build(), observer, executor);
  }

  private void transferLeader(TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> observer) {
    Replies.reply(node.transferLeader(request.getTransferee()),
        leader -> TransferLeaderResponse.newBuilder().setLeaderId(leader).build(), observer, executor);
  }

  /** Pins the state once it holds every acknowledged write (ReadIndex), then streams it. */
  private void backup(BackupRequest request, StreamObserver<BackupChunk> observer) {
    BackupStream stream = BackupStream.open((ServerCallStreamObserver<BackupChunk>) observer, executor);
    node.openStateCut().whenCompleteAsync((cut, failure) -> {
      if (failure != null) {
        stream.failBeforeStart(failure);
      } else {
        stream.begin(cut, node.config().clusterId(), node.id(), node.status().members());
      }
    }, executor);
  }
}
