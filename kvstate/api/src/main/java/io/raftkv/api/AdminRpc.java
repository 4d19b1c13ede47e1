package io.raftkv.api;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;

/** The admin service: membership changes, leadership transfer, and network faults for test rigs. */
public final class AdminRpc {
  public static final String SERVICE = "raftkv.api.Admin";

  public static final MethodDescriptor<ListMembersRequest, ListMembersResponse> LIST_MEMBERS =
      GrpcMethods.unary(SERVICE, "ListMembers", ListMembersRequest.getDefaultInstance(),
          ListMembersResponse.getDefaultInstance());
  public static final MethodDescriptor<AddMemberRequest, MembershipResponse> ADD_MEMBER =
      GrpcMethods.unary(SERVICE, "AddMember", AddMemberRequest.getDefaultInstance(),
          MembershipResponse.getDefaultInstance());
  public static final MethodDescriptor<RemoveMemberRequest, MembershipResponse> REMOVE_MEMBER =
      GrpcMethods.unary(SERVICE, "RemoveMember", RemoveMemberRequest.getDefaultInstance(),
          MembershipResponse.getDefaultInstance());
  public static final MethodDescriptor<TransferLeaderRequest, TransferLeaderResponse> TRANSFER_LEADER =
      GrpcMethods.unary(SERVICE, "TransferLeader", TransferLeaderRequest.getDefaultInstance(),
          TransferLeaderResponse.getDefaultInstance());
  /** Only on a node started with --fault-injection; elsewhere it fails with INVALID_ARGUMENT. */
  public static final MethodDescriptor<SetNetworkFaultsRequest, SetNetworkFaultsResponse> SET_NETWORK_FAULTS =
      GrpcMethods.unary(SERVICE, "SetNetworkFaults", SetNetworkFaultsRequest.getDefaultInstance(),
          SetNetworkFaultsResponse.getDefaultInstance());
  public static final MethodDescriptor<BackupRequest, BackupChunk> BACKUP =
      GrpcMethods.serverStreaming(SERVICE, "Backup", BackupRequest.getDefaultInstance(),
          BackupChunk.getDefaultInstance());

  public static final ServiceDescriptor SERVICE_DESCRIPTOR = ServiceDescriptor.newBuilder(SERVICE)
      .addMethod(LIST_MEMBERS).addMethod(ADD_MEMBER).addMethod(REMOVE_MEMBER).addMethod(TRANSFER_LEADER)
      .addMethod(SET_NETWORK_FAULTS).addMethod(BACKUP)
      .build();

  private AdminRpc() {}
}
