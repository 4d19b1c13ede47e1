package io.raftkv.server.auth;

import io.raftkv.api.Permission;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.statemachine.pb.AuthFlag;
import io.raftkv.server.statemachine.pb.PasswordHash;
import io.raftkv.server.statemachine.pb.StoredRole;
import io.raftkv.server.statemachine.pb.StoredUser;
import io.raftkv.server.storage.GroupKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies one committed {@link AuthChange} to an {@link AuthView}: checks it again against {@link AuthLimits}
 * and the view (a command may be hostile or stale), then answers with the new view and the records to
 * write, or with why it is refused. Pure and deterministic: every replica answers the same.
 */
public final class AuthApply {
  /** A record to write in the sessions family; a null value deletes the key. */
  public record Write(byte[] key, byte[] value) {}

  /** What applying a change produced. */
  public sealed interface Outcome permits Outcome.Applied, Outcome.Refused {
    /** The change took effect ({@code changed} false: it was already so); {@code writes} make it durable. */
    record Applied(AuthView view, List<Write> writes, boolean changed) implements Outcome {}

    /** The change is refused; nothing is written. */
    record Refused(String message) implements Outcome {}
  }

  private final GroupKeys keys;
  private final AuthLimits limits;

  public AuthApply(GroupKeys keys, AuthLimits limits) {
    this.keys = keys;
    this.limits = limits;
  }

  /** Applies {@code change}, committed at log {@code index}, to {@code view}. */
  public Outcome apply(AuthView view, long index, AuthChange change) {
    return switch (change.getChangeCase()) {
      case SET_ENABLED -> new Outcome.Applied(view.withFlag(change.getSetEnabled()), List.of(new Write(keys.authFlag(),
          AuthFlag.newBuilder().setEnabled(change.getSetEnabled()).build().toByteArray())),
          view.flag().map(f -> f != change.getSetEnabled()).orElse(true));
      case ADD_USER -> addUser(view, index, change.getAddUser().getName(),
          change.getAddUser().hasPassword() ? change.getAddUser().getPassword() : null);
      case DELETE_USER -> deleteUser(view, change.getDeleteUser());
      case SET_PASSWORD -> setPassword(view, index, change.getSetPassword().getName(),
          change.getSetPassword().getPassword());
      case GRANT_ROLE -> changeRoles(view, index, change.getGrantRole().getUser(), change.getGrantRole().getRole(), true);
      case REVOKE_ROLE -> changeRoles(view, index, change.getRevokeRole().getUser(), change.getRevokeRole().getRole(),
          false);
      case ADD_ROLE -> addRole(view, change.getAddRole());
      case DELETE_ROLE -> deleteRole(view, index, change.getDeleteRole());
      case GRANT_PERMISSION -> changePermissions(view, change.getGrantPermission().getRole(),
          change.getGrantPermission().getPermission(), true);
      case REVOKE_PERMISSION -> changePermissions(view, change.getRevokePermission().getRole(),
          change.getRevokePermission().getPermission(), false);
      case CHANGE_NOT_SET -> new Outcome.Refused("the auth change names no change (an unknown kind from a newer node?)");
    };
  }

  private Outcome addUser(AuthView view, long index, String name, PasswordHash password) {
    String problem = AuthLimits.nameProblem("user", name);
    if (problem == null && password != null) {
      problem = hashProblem(password);
    }
    if (problem != null) {
      return new Outcome.Refused(problem);
    }
    if (view.user(name) != null) {
      return new Outcome.Refused("user '" + name + "' already exists");
    }
    if (view.storedUsers() >= AuthLimits.MAX_USERS) {
      return new Outcome.Refused("there are " + view.storedUsers() + " users, the most allowed (" + AuthLimits.MAX_USERS
          + "): delete one first");
    }
    StoredUser.Builder user = StoredUser.newBuilder().setName(name).setRevision(index);
    if (password != null) {
      user.setPassword(password);
    }
    return putUser(view, user.build());
  }

  private Outcome deleteUser(AuthView view, String name) {
    if (AuthView.ADMIN.equals(name)) {
      return new Outcome.Refused("the built-in user 'admin' cannot be deleted");
    }
    if (view.user(name) == null) {
      return new Outcome.Refused(missingUser(name));
    }
    return new Outcome.Applied(view.withoutUser(name), List.of(new Write(keys.authUser(name), null)), true);
  }

  private Outcome setPassword(AuthView view, long index, String name, PasswordHash password) {
    String problem = hashProblem(password);
    if (problem != null) {
      return new Outcome.Refused(problem);
    }
    StoredUser user = view.user(name);
    if (user == null) {
      return new Outcome.Refused(missingUser(name));
    }
    return putUser(view, user.toBuilder().setPassword(password).setRevision(index).build());
  }

  private Outcome changeRoles(AuthView view, long index, String userName, String roleName, boolean grant) {
    StoredUser user = view.user(userName);
    if (user == null) {
      return new Outcome.Refused(missingUser(userName));
    }
    if (AuthView.ADMIN.equals(userName)) {
      return new Outcome.Refused("the built-in user 'admin' holds the role admin and no other: its roles cannot"
          + " change (grant roles to another user)");
    }
    boolean held = user.getRolesList().contains(roleName);
    if (!grant) {
      if (!held) {
        return new Outcome.Applied(view, List.of(), false);
      }
      List<String> roles = new ArrayList<>(user.getRolesList());
      roles.remove(roleName);
      return putUser(view, user.toBuilder().clearRoles().addAllRoles(roles).setRevision(index).build());
    }
    if (view.role(roleName) == null) {
      return new Outcome.Refused(missingRole(roleName));
    }
    if (held) {
      return new Outcome.Applied(view, List.of(), false);
    }
    if (user.getRolesCount() >= AuthLimits.MAX_ROLES_PER_USER) {
      return new Outcome.Refused("user '" + userName + "' holds " + user.getRolesCount() + " roles, the most allowed ("
          + AuthLimits.MAX_ROLES_PER_USER + ")");
    }
    return putUser(view, user.toBuilder().addRoles(roleName).setRevision(index).build());
  }

  private Outcome addRole(AuthView view, String name) {
    String problem = AuthLimits.nameProblem("role", name);
    if (problem != null) {
      return new Outcome.Refused(problem);
    }
    if (view.role(name) != null) {
      return new Outcome.Refused("role '" + name + "' already exists");
    }
    if (view.storedRoles() >= AuthLimits.MAX_ROLES) {
      return new Outcome.Refused("there are " + view.storedRoles() + " roles, the most allowed (" + AuthLimits.MAX_ROLES
          + "): delete one first");
    }
    StoredRole role = StoredRole.newBuilder().setName(name).build();
    return new Outcome.Applied(view.withRole(role), List.of(new Write(keys.authRole(name), role.toByteArray())), true);
  }

  /** Deletes the role and takes it from every user holding it (their tokens end: their rights changed). */
  private Outcome deleteRole(AuthView view, long index, String name) {
    if (AuthView.ADMIN.equals(name)) {
      return new Outcome.Refused("the built-in role 'admin' cannot be deleted");
    }
    if (view.role(name) == null) {
      return new Outcome.Refused(missingRole(name));
    }
    List<Write> writes = new ArrayList<>();
    writes.add(new Write(keys.authRole(name), null));
    Map<String, StoredUser> changed = new LinkedHashMap<>();
    for (StoredUser user : view.users().values()) {
      if (user.getRolesList().contains(name)) {
        List<String> roles = new ArrayList<>(user.getRolesList());
        roles.remove(name);
        StoredUser updated = user.toBuilder().clearRoles().addAllRoles(roles).setRevision(index).build();
        changed.put(updated.getName(), updated);
        writes.add(new Write(keys.authUser(updated.getName()), updated.toByteArray()));
      }
    }
    return new Outcome.Applied(view.withoutRole(name).withUsers(changed), writes, true);
  }

  private Outcome changePermissions(AuthView view, String roleName, Permission permission, boolean grant) {
    if (AuthView.ADMIN.equals(roleName)) {
      return new Outcome.Refused("the built-in role 'admin' holds every permission and cannot be changed");
    }
    StoredRole role = view.role(roleName);
    if (role == null) {
      return new Outcome.Refused(missingRole(roleName));
    }
    String problem = limits.permissionProblem(permission);
    if (problem != null) {
      return new Outcome.Refused(problem);
    }
    boolean held = role.getPermissionsList().contains(permission);
    if (grant == held) {
      return new Outcome.Applied(view, List.of(), false);
    }
    StoredRole.Builder updated = role.toBuilder();
    if (grant) {
      if (role.getPermissionsCount() >= AuthLimits.MAX_PERMISSIONS_PER_ROLE) {
        return new Outcome.Refused("role '" + roleName + "' holds " + role.getPermissionsCount()
            + " permissions, the most allowed (" + AuthLimits.MAX_PERMISSIONS_PER_ROLE + ")");
      }
      updated.addPermissions(permission);
    } else {
      List<Permission> kept = new ArrayList<>(role.getPermissionsList());
      kept.remove(permission);
      updated.clearPermissions().addAllPermissions(kept);
    }
    StoredRole built = updated.build();
    return new Outcome.Applied(view.withRole(built), List.of(new Write(keys.authRole(roleName), built.toByteArray())),
        true);
  }

  private Outcome putUser(AuthView view, StoredUser user) {
    return new Outcome.Applied(view.withUser(user), List.of(new Write(keys.authUser(user.getName()),
        user.toByteArray())), true);
  }

  /** Why a hash record is not one a node of this version made, or null; it never holds the hash. */
  static String hashProblem(PasswordHash hash) {
    if (!PasswordHasher.ALGORITHM.equals(hash.getAlgorithm())) {
      return "password hash algorithm '" + Printable.text(hash.getAlgorithm()) + "' is not " + PasswordHasher.ALGORITHM;
    }
    if (hash.getIterations() < PasswordHasher.MIN_ITERATIONS || hash.getIterations() > PasswordHasher.MAX_ITERATIONS) {
      return "password hash iterations " + hash.getIterations() + " is out of range: " + PasswordHasher.MIN_ITERATIONS
          + ".." + PasswordHasher.MAX_ITERATIONS;
    }
    if (hash.getSalt().size() != PasswordHasher.SALT_BYTES || hash.getHash().size() != PasswordHasher.HASH_BITS / 8) {
      return "password hash record has a " + hash.getSalt().size() + "-byte salt and a " + hash.getHash().size()
          + "-byte hash; expected " + PasswordHasher.SALT_BYTES + " and " + PasswordHasher.HASH_BITS / 8;
    }
    return null;
  }

  private static String missingUser(String name) {
    return "user '" + Printable.text(name) + "' does not exist";
  }

  private static String missingRole(String name) {
    return "role '" + Printable.text(name) + "' does not exist";
  }
}
