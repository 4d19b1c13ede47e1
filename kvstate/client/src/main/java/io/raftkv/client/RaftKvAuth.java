package io.raftkv.client;

import io.raftkv.api.AuthChangeResponse;
import io.raftkv.api.AuthDisableRequest;
import io.raftkv.api.AuthEnableRequest;
import io.raftkv.api.AuthRpc;
import io.raftkv.api.AuthStatusRequest;
import io.raftkv.api.AuthStatusResponse;
import io.raftkv.api.Permission;
import io.raftkv.api.Role;
import io.raftkv.api.RoleAddRequest;
import io.raftkv.api.RoleDeleteRequest;
import io.raftkv.api.RoleGrantPermissionRequest;
import io.raftkv.api.RoleListRequest;
import io.raftkv.api.RoleRevokePermissionRequest;
import io.raftkv.api.User;
import io.raftkv.api.UserAddRequest;
import io.raftkv.api.UserChangePasswordRequest;
import io.raftkv.api.UserDeleteRequest;
import io.raftkv.api.UserGrantRoleRequest;
import io.raftkv.api.UserListRequest;
import io.raftkv.api.UserRevokeRoleRequest;
import java.util.List;

/**
 * A client's calls on users, roles, permissions and the auth flag ({@link RaftKvClient#auth()}). Changes go
 * to the leader and are retried like writes; adding what exists fails ("already exists"), granting what is
 * held or revoking what is not changes nothing ({@link AuthChangeResponse#getChanged()}). All but
 * {@link #status()} need the role admin while authentication is on. Failures are {@link RaftKvException}s.
 */
public final class RaftKvAuth {
  private final RaftKvClient client;

  RaftKvAuth(RaftKvClient client) {
    this.client = client;
  }

  /** Whether authentication is on, and who the answering node takes this client for. */
  public AuthStatusResponse status() {
    return client.callAny(AuthRpc.AUTH_STATUS, AuthStatusRequest.getDefaultInstance());
  }

  /** Turns authentication on (explicitly, for good: it no longer follows whether the client port runs TLS). */
  public AuthChangeResponse enable() {
    return client.callLeader(AuthRpc.AUTH_ENABLE, AuthEnableRequest::getDefaultInstance);
  }

  /** Turns authentication off: every caller may do everything. */
  public AuthChangeResponse disable() {
    return client.callLeader(AuthRpc.AUTH_DISABLE, AuthDisableRequest::getDefaultInstance);
  }

  /** Adds a user with a password (hashed by the node; the chars are copied). */
  public AuthChangeResponse addUser(String name, char[] password) {
    UserAddRequest request = UserAddRequest.newBuilder().setName(name)
        .setPassword(PasswordCredentials.encode(password)).build();
    return client.callLeader(AuthRpc.USER_ADD, () -> request);
  }

  /** Adds a user without a password: it authenticates by a client certificate naming it. */
  public AuthChangeResponse addUserWithoutPassword(String name) {
    return client.callLeader(AuthRpc.USER_ADD, () -> UserAddRequest.newBuilder().setName(name).setNoPassword(true)
        .build());
  }

  public AuthChangeResponse deleteUser(String name) {
    return client.callLeader(AuthRpc.USER_DELETE, () -> UserDeleteRequest.newBuilder().setName(name).build());
  }

  /** Sets a user's password; its tokens on every node stop working. */
  public AuthChangeResponse changePassword(String name, char[] password) {
    UserChangePasswordRequest request = UserChangePasswordRequest.newBuilder().setName(name)
        .setPassword(PasswordCredentials.encode(password)).build();
    return client.callLeader(AuthRpc.USER_CHANGE_PASSWORD, () -> request);
  }

  public List<User> users() {
    return client.callLeader(AuthRpc.USER_LIST, UserListRequest::getDefaultInstance).getUsersList();
  }

  public AuthChangeResponse grantRole(String user, String role) {
    return client.callLeader(AuthRpc.USER_GRANT_ROLE, () -> UserGrantRoleRequest.newBuilder().setUser(user)
        .setRole(role).build());
  }

  public AuthChangeResponse revokeRole(String user, String role) {
    return client.callLeader(AuthRpc.USER_REVOKE_ROLE, () -> UserRevokeRoleRequest.newBuilder().setUser(user)
        .setRole(role).build());
  }

  public AuthChangeResponse addRole(String name) {
    return client.callLeader(AuthRpc.ROLE_ADD, () -> RoleAddRequest.newBuilder().setName(name).build());
  }

  /** Deletes a role; users holding it lose it. */
  public AuthChangeResponse deleteRole(String name) {
    return client.callLeader(AuthRpc.ROLE_DELETE, () -> RoleDeleteRequest.newBuilder().setName(name).build());
  }

  /** Every role with its permissions, the built-in admin among them. */
  public List<Role> roles() {
    return client.callLeader(AuthRpc.ROLE_LIST, RoleListRequest::getDefaultInstance).getRolesList();
  }

  public AuthChangeResponse grantPermission(String role, Permission permission) {
    return client.callLeader(AuthRpc.ROLE_GRANT_PERMISSION, () -> RoleGrantPermissionRequest.newBuilder().setRole(role)
        .setPermission(permission).build());
  }

  public AuthChangeResponse revokePermission(String role, Permission permission) {
    return client.callLeader(AuthRpc.ROLE_REVOKE_PERMISSION, () -> RoleRevokePermissionRequest.newBuilder()
        .setRole(role).setPermission(permission).build());
  }
}
