package io.raftkv.api;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;

/**
 * The auth service: password authentication (a token for the answering node), the auth flag, users, roles
 * and their permissions. Changes go to the leader like writes; all but Authenticate and AuthStatus need the
 * role admin while authentication is on.
 */
public final class AuthRpc {
  public static final String SERVICE = "raftkv.api.Auth";

  /** The metadata key a call carries its token under (from Authenticate on the same node). */
  public static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

  public static final MethodDescriptor<AuthenticateRequest, AuthenticateResponse> AUTHENTICATE =
      GrpcMethods.unary(SERVICE, "Authenticate", AuthenticateRequest.getDefaultInstance(),
          AuthenticateResponse.getDefaultInstance());
  public static final MethodDescriptor<AuthEnableRequest, AuthChangeResponse> AUTH_ENABLE =
      GrpcMethods.unary(SERVICE, "AuthEnable", AuthEnableRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<AuthDisableRequest, AuthChangeResponse> AUTH_DISABLE =
      GrpcMethods.unary(SERVICE, "AuthDisable", AuthDisableRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<AuthStatusRequest, AuthStatusResponse> AUTH_STATUS =
      GrpcMethods.unary(SERVICE, "AuthStatus", AuthStatusRequest.getDefaultInstance(),
          AuthStatusResponse.getDefaultInstance());
  public static final MethodDescriptor<UserAddRequest, AuthChangeResponse> USER_ADD =
      GrpcMethods.unary(SERVICE, "UserAdd", UserAddRequest.getDefaultInstance(), AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<UserDeleteRequest, AuthChangeResponse> USER_DELETE =
      GrpcMethods.unary(SERVICE, "UserDelete", UserDeleteRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<UserListRequest, UserListResponse> USER_LIST =
      GrpcMethods.unary(SERVICE, "UserList", UserListRequest.getDefaultInstance(), UserListResponse.getDefaultInstance());
  public static final MethodDescriptor<UserChangePasswordRequest, AuthChangeResponse> USER_CHANGE_PASSWORD =
      GrpcMethods.unary(SERVICE, "UserChangePassword", UserChangePasswordRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<UserGrantRoleRequest, AuthChangeResponse> USER_GRANT_ROLE =
      GrpcMethods.unary(SERVICE, "UserGrantRole", UserGrantRoleRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<UserRevokeRoleRequest, AuthChangeResponse> USER_REVOKE_ROLE =
      GrpcMethods.unary(SERVICE, "UserRevokeRole", UserRevokeRoleRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<RoleAddRequest, AuthChangeResponse> ROLE_ADD =
      GrpcMethods.unary(SERVICE, "RoleAdd", RoleAddRequest.getDefaultInstance(), AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<RoleDeleteRequest, AuthChangeResponse> ROLE_DELETE =
      GrpcMethods.unary(SERVICE, "RoleDelete", RoleDeleteRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<RoleListRequest, RoleListResponse> ROLE_LIST =
      GrpcMethods.unary(SERVICE, "RoleList", RoleListRequest.getDefaultInstance(), RoleListResponse.getDefaultInstance());
  public static final MethodDescriptor<RoleGrantPermissionRequest, AuthChangeResponse> ROLE_GRANT_PERMISSION =
      GrpcMethods.unary(SERVICE, "RoleGrantPermission", RoleGrantPermissionRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());
  public static final MethodDescriptor<RoleRevokePermissionRequest, AuthChangeResponse> ROLE_REVOKE_PERMISSION =
      GrpcMethods.unary(SERVICE, "RoleRevokePermission", RoleRevokePermissionRequest.getDefaultInstance(),
          AuthChangeResponse.getDefaultInstance());

  public static final ServiceDescriptor SERVICE_DESCRIPTOR = ServiceDescriptor.newBuilder(SERVICE)
      .addMethod(AUTHENTICATE).addMethod(AUTH_ENABLE).addMethod(AUTH_DISABLE).addMethod(AUTH_STATUS)
      .addMethod(USER_ADD).addMethod(USER_DELETE).addMethod(USER_LIST).addMethod(USER_CHANGE_PASSWORD)
      .addMethod(USER_GRANT_ROLE).addMethod(USER_REVOKE_ROLE).addMethod(ROLE_ADD).addMethod(ROLE_DELETE)
      .addMethod(ROLE_LIST).addMethod(ROLE_GRANT_PERMISSION).addMethod(ROLE_REVOKE_PERMISSION)
      .build();

  private AuthRpc() {}
}
