package io.raftkv.server.service;

import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.raftkv.api.AuthChangeResponse;
import io.raftkv.api.AuthDisableRequest;
import io.raftkv.api.AuthEnableRequest;
import io.raftkv.api.AuthRpc;
import io.raftkv.api.AuthStatusRequest;
import io.raftkv.api.AuthStatusResponse;
import io.raftkv.api.AuthenticateRequest;
import io.raftkv.api.AuthenticateResponse;
import io.raftkv.api.Error;
import io.raftkv.api.RoleAddRequest;
import io.raftkv.api.RoleDeleteRequest;
import io.raftkv.api.RoleGrantPermissionRequest;
import io.raftkv.api.RoleListRequest;
import io.raftkv.api.RoleListResponse;
import io.raftkv.api.RoleRevokePermissionRequest;
import io.raftkv.api.UserAddRequest;
import io.raftkv.api.UserChangePasswordRequest;
import io.raftkv.api.UserDeleteRequest;
import io.raftkv.api.UserGrantRoleRequest;
import io.raftkv.api.UserListRequest;
import io.raftkv.api.UserListResponse;
import io.raftkv.api.UserRevokeRoleRequest;
import io.raftkv.server.auth.AccessControl;
import io.raftkv.server.auth.AuthLimits;
import io.raftkv.server.auth.AuthView;
import io.raftkv.server.auth.Caller;
import io.raftkv.server.auth.PasswordHasher;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.node.RaftKvNode;
import io.raftkv.server.statemachine.pb.AddUser;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.statemachine.pb.PasswordHash;
import io.raftkv.server.statemachine.pb.RolePermission;
import io.raftkv.server.statemachine.pb.SetPassword;
import io.raftkv.server.statemachine.pb.StoredUser;
import io.raftkv.server.statemachine.pb.UserRole;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * The auth service: trades a password for a token on this node, and changes users, roles and the auth flag
 * through raft (role admin only while authentication is on). Passwords are hashed here, before proposing,
 * on the pool and a few at a time; they are never logged or put in an error.
 */
public final class AuthService {
  private final RaftKvNode node;
  private final Executor executor;
  private final AccessControl access;
  private final PasswordHasher hasher;
  private final AuthLimits limits;
  private final Semaphore hashing;
  private final int maxHashesInFlight;
  private final PasswordHash decoy;

  AuthService(RaftKvNode node, Executor executor, AccessControl access, PasswordHasher hasher, int maxHashesInFlight) {
    this.node = node;
    this.executor = executor;
    this.access = access;
    this.hasher = hasher;
    this.limits = new AuthLimits(node.config().limits().maxKeyBytes());
    this.hashing = new Semaphore(maxHashesInFlight);
    this.maxHashesInFlight = maxHashesInFlight;
    // Checked against when the user does not exist, so an unknown user costs as long as a wrong password.
    this.decoy = hasher.hash(new byte[] {'x'});
  }

  public ServerServiceDefinition definition() {
    return ServerServiceDefinition.builder(AuthRpc.SERVICE_DESCRIPTOR)
        .addMethod(AuthRpc.AUTHENTICATE, ServerCalls.asyncUnaryCall(this::authenticate))
        .addMethod(AuthRpc.AUTH_STATUS, ServerCalls.asyncUnaryCall(this::status))
        .addMethod(AuthRpc.AUTH_ENABLE, ServerCalls.asyncUnaryCall((AuthEnableRequest r, StreamObserver<AuthChangeResponse> o)
            -> change("AuthEnable", AuthChange.newBuilder().setSetEnabled(true).build(), o)))
        .addMethod(AuthRpc.AUTH_DISABLE, ServerCalls.asyncUnaryCall((AuthDisableRequest r,
            StreamObserver<AuthChangeResponse> o) -> change("AuthDisable",
            AuthChange.newBuilder().setSetEnabled(false).build(), o)))
        .addMethod(AuthRpc.USER_ADD, ServerCalls.asyncUnaryCall(this::userAdd))
        .addMethod(AuthRpc.USER_DELETE, ServerCalls.asyncUnaryCall((UserDeleteRequest r,
            StreamObserver<AuthChangeResponse> o) -> change("UserDelete", AuthChange.newBuilder()
            .setDeleteUser(r.getName()).build(), o)))
        .addMethod(AuthRpc.USER_LIST, ServerCalls.asyncUnaryCall(this::userList))
        .addMethod(AuthRpc.USER_CHANGE_PASSWORD, ServerCalls.asyncUnaryCall(this::userChangePassword))
        .addMethod(AuthRpc.USER_GRANT_ROLE, ServerCalls.asyncUnaryCall((UserGrantRoleRequest r,
            StreamObserver<AuthChangeResponse> o) -> change("UserGrantRole", AuthChange.newBuilder().setGrantRole(
            UserRole.newBuilder().setUser(r.getUser()).setRole(r.getRole())).build(), o)))
        .addMethod(AuthRpc.USER_REVOKE_ROLE, ServerCalls.asyncUnaryCall((UserRevokeRoleRequest r,
            StreamObserver<AuthChangeResponse> o) -> change("UserRevokeRole", AuthChange.newBuilder().setRevokeRole(
            UserRole.newBuilder().setUser(r.getUser()).setRole(r.getRole())).build(), o)))
        .addMethod(AuthRpc.ROLE_ADD, ServerCalls.asyncUnaryCall((RoleAddRequest r, StreamObserver<AuthChangeResponse> o)
            -> change("RoleAdd", AuthChange.newBuilder().setAddRole(r.getName()).build(), o)))
        .addMethod(AuthRpc.ROLE_DELETE, ServerCalls.asyncUnaryCall((RoleDeleteRequest r,
            StreamObserver<AuthChangeResponse> o) -> change("RoleDelete", AuthChange.newBuilder()
            .setDeleteRole(r.getName()).build(), o)))
        .addMethod(AuthRpc.ROLE_LIST, ServerCalls.asyncUnaryCall(this::roleList))
        .addMethod(AuthRpc.ROLE_GRANT_PERMISSION, ServerCalls.asyncUnaryCall((RoleGrantPermissionRequest r,
            StreamObserver<AuthChangeResponse> o) -> change("RoleGrantPermission", AuthChange.newBuilder()
            .setGrantPermission(RolePermission.newBuilder().setRole(r.getRole()).setPermission(r.getPermission()))
            .build(), o)))
        .addMethod(AuthRpc.ROLE_REVOKE_PERMISSION, ServerCalls.asyncUnaryCall((RoleRevokePermissionRequest r,
            StreamObserver<AuthChangeResponse> o) -> change("RoleRevokePermission", AuthChange.newBuilder()
            .setRevokePermission(RolePermission.newBuilder().setRole(r.getRole()).setPermission(r.getPermission()))
            .build(), o)))
        .build();
  }

  private void authenticate(AuthenticateRequest request, StreamObserver<AuthenticateResponse> observer) {
    String problem = AuthLimits.nameProblem("user", request.getUser());
    if (problem == null) {
      problem = AuthLimits.passwordProblem(request.getPassword());
    }
    if (problem != null) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, problem);
      return;
    }
    Replies.reply(hashed(() -> {
      StoredUser user = node.authView().user(request.getUser());
      byte[] password = request.getPassword().toByteArray();
      boolean right = user != null && user.hasPassword() && PasswordHasher.verify(password, user.getPassword());
      if (user == null || !user.hasPassword()) {
        PasswordHasher.verify(password, decoy);
      }
      if (!right) {
        throw NodeException.of(Error.Code.UNAUTHENTICATED, "authentication failed for user '" + request.getUser()
            + "': no such user with a password, or a wrong password");
      }
      return AuthenticateResponse.newBuilder().setToken(access.tokens().issue(user.getName(), user.getRevision()))
          .build();
    }), Function.identity(), observer, Runnable::run);
  }

  private void status(AuthStatusRequest request, StreamObserver<AuthStatusResponse> observer) {
    AuthView view = node.authView();
    AuthStatusResponse.Builder out = AuthStatusResponse.newBuilder().setEnabled(access.enforced())
        .setExplicit(view.flag().isPresent());
    if (access.identify() instanceof Caller.Known known) {
      out.setUser(known.name()).addAllRoles(known.grants().roleNames());
    }
    observer.onNext(out.build());
    observer.onCompleted();
  }

  private void userList(UserListRequest request, StreamObserver<UserListResponse> observer) {
    Error refused = access.refuseUnlessAdmin(access.caller(), "UserList");
    if (refused != null) {
      Replies.fail(observer, refused);
      return;
    }
    observer.onNext(UserListResponse.newBuilder().addAllUsers(node.authView().listUsers()).build());
    observer.onCompleted();
  }

  private void roleList(RoleListRequest request, StreamObserver<RoleListResponse> observer) {
    Error refused = access.refuseUnlessAdmin(access.caller(), "RoleList");
    if (refused != null) {
      Replies.fail(observer, refused);
      return;
    }
    observer.onNext(RoleListResponse.newBuilder().addAllRoles(node.authView().listRoles()).build());
    observer.onCompleted();
  }

  private void userAdd(UserAddRequest request, StreamObserver<AuthChangeResponse> observer) {
    String problem = request.getNoPassword()
        ? (request.getPassword().isEmpty() ? null : "a user added with no_password cannot be given a password too")
        : AuthLimits.passwordProblem(request.getPassword());
    if (problem == null) {
      problem = AuthLimits.nameProblem("user", request.getName());
    }
    if (admittedOrFail("UserAdd", problem, observer)) {
      AddUser.Builder add = AddUser.newBuilder().setName(request.getName());
      if (request.getNoPassword()) {
        propose(AuthChange.newBuilder().setAddUser(add).build(), observer);
      } else {
        proposeAfter(hashed(() -> AuthChange.newBuilder().setAddUser(add.setPassword(
            hasher.hash(request.getPassword().toByteArray()))).build()), observer);
      }
    }
  }

  private void userChangePassword(UserChangePasswordRequest request, StreamObserver<AuthChangeResponse> observer) {
    String problem = AuthLimits.passwordProblem(request.getPassword());
    if (admittedOrFail("UserChangePassword", problem, observer)) {
      proposeAfter(hashed(() -> AuthChange.newBuilder().setSetPassword(SetPassword.newBuilder()
          .setName(request.getName()).setPassword(hasher.hash(request.getPassword().toByteArray()))).build()), observer);
    }
  }

  /** A change with nothing to hash: checked here (the apply checks again), then proposed. */
  private void change(String call, AuthChange change, StreamObserver<AuthChangeResponse> observer) {
    if (admittedOrFail(call, receiveProblem(change), observer)) {
      propose(change, observer);
    }
  }

  /** Why a change is refused before proposing, or null: the names and permission it carries. */
  private String receiveProblem(AuthChange change) {
    return switch (change.getChangeCase()) {
      case ADD_ROLE -> AuthLimits.nameProblem("role", change.getAddRole());
      case GRANT_PERMISSION -> limits.permissionProblem(change.getGrantPermission().getPermission());
      case REVOKE_PERMISSION -> limits.permissionProblem(change.getRevokePermission().getPermission());
      default -> null;
    };
  }

  /** Whether the caller may make {@code call} and its request is well formed; else fails the call and says false. */
  private boolean admittedOrFail(String call, String problem, StreamObserver<?> observer) {
    Error refused = access.refuseUnlessAdmin(access.caller(), call);
    if (refused != null) {
      Replies.fail(observer, refused);
      return false;
    }
    if (problem != null) {
      Replies.fail(observer, Error.Code.INVALID_ARGUMENT, problem);
      return false;
    }
    return true;
  }

  private void propose(AuthChange change, StreamObserver<AuthChangeResponse> observer) {
    proposeAfter(CompletableFuture.completedFuture(change), observer);
  }

  private void proposeAfter(CompletableFuture<AuthChange> change, StreamObserver<AuthChangeResponse> observer) {
    Replies.reply(change.thenCompose(node::proposeAuth), applied -> AuthChangeResponse.newBuilder()
        .setIndex(applied.getIndex()).setChanged(applied.getApplied()).build(), observer, Runnable::run);
  }

  /** Runs password work on the pool, at most a few at once; refuses at once (to be retried) beyond that. */
  private <T> CompletableFuture<T> hashed(java.util.function.Supplier<T> work) {
    if (!hashing.tryAcquire()) {
      return CompletableFuture.failedFuture(NodeException.of(Error.Code.RESOURCE_EXHAUSTED, "node " + node.id()
          + " is checking or hashing " + maxHashesInFlight + " passwords already, its most: retry later"));
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.get();
      } finally {
        hashing.release();
      }
    }, executor);
  }
}
