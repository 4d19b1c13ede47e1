package io.raftkv.server.auth;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.Permission;
import io.raftkv.api.Role;
import io.raftkv.api.User;
import io.raftkv.server.statemachine.pb.AuthFlag;
import io.raftkv.server.statemachine.pb.StoredRole;
import io.raftkv.server.statemachine.pb.StoredUser;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageIoException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * One immutable state of a group's users, roles and auth flag as applied, with the built-in role and user
 * {@code admin} (present without being written). Read by any thread; each change makes a new view.
 */
public final class AuthView {
  /** The built-in role and user. */
  public static final String ADMIN = "admin";
  /** The built-in role: every key read-write (and, by its name, every other permission). */
  static final StoredRole ADMIN_ROLE = StoredRole.newBuilder().setName(ADMIN)
      .addPermissions(Permission.newBuilder().setAccess(Permission.Access.READWRITE).setPrefix(
          com.google.protobuf.ByteString.EMPTY)).build();
  /** The built-in user until a password is set for it: role admin, no password, revision 0. */
  static final StoredUser ADMIN_USER = StoredUser.newBuilder().setName(ADMIN).addRoles(ADMIN).build();

  private static final AuthView EMPTY = new AuthView(null, Map.of(), Map.of());

  private final Boolean flag;
  private final Map<String, StoredUser> users;
  private final Map<String, StoredRole> roles;
  /** Each user's key grants, computed on first use: the view never changes, so neither do they. */
  private final Map<String, KeyGrants> grants = new ConcurrentHashMap<>();

  private AuthView(Boolean flag, Map<String, StoredUser> users, Map<String, StoredRole> roles) {
    this.flag = flag;
    this.users = users;
    this.roles = roles;
  }

  /** No users, roles or flag written: only the built-ins. */
  public static AuthView empty() {
    return EMPTY;
  }

  /** The view stored in {@code engine} for the group whose keys are {@code keys}. */
  public static AuthView load(StorageEngine engine, GroupKeys keys) {
    Boolean flag = null;
    Map<String, StoredUser> users = new TreeMap<>();
    Map<String, StoredRole> roles = new TreeMap<>();
    try (Slice lower = new Slice(keys.authStart());
        Slice upper = new Slice(keys.authEnd());
        ReadOptions options = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
        RocksIterator it = engine.db().newIterator(engine.handle(ColumnFamily.SESSIONS), options)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte kind = keys.authKindOf(it.key());
        if (kind == GroupKeys.authFlagKind()) {
          flag = AuthFlag.parseFrom(it.value()).getEnabled();
        } else if (kind == GroupKeys.authUserKind()) {
          StoredUser user = StoredUser.parseFrom(it.value());
          users.put(user.getName(), user);
        } else if (kind == GroupKeys.authRoleKind()) {
          StoredRole role = StoredRole.parseFrom(it.value());
          roles.put(role.getName(), role);
        }
      }
      it.status();
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(engine.directory(), "an auth record (user, role or flag) is corrupt", e);
    } catch (RocksDBException e) {
      throw new StorageIoException("reading the users and roles failed", e);
    }
    return new AuthView(flag, Collections.unmodifiableMap(users), Collections.unmodifiableMap(roles));
  }

  /** The explicit auth flag, if ever set. */
  public Optional<Boolean> flag() {
    return Optional.ofNullable(flag);
  }

  /** Whether permissions are enforced: the flag if set, else whether the client port runs TLS. */
  public boolean enforced(boolean clientTls) {
    return flag != null ? flag : clientTls;
  }

  /** The user {@code name} (the built-in admin as its defaults until written), or null. */
  public StoredUser user(String name) {
    StoredUser stored = users.get(name);
    return stored != null ? stored : ADMIN.equals(name) ? ADMIN_USER : null;
  }

  /** The role {@code name} (the built-in admin included), or null. */
  public StoredRole role(String name) {
    return ADMIN.equals(name) ? ADMIN_ROLE : roles.get(name);
  }

  /** Users written (the built-in admin counts once written). */
  int storedUsers() {
    return users.size();
  }

  /** Roles written (the built-in admin is never written). */
  int storedRoles() {
    return roles.size();
  }

  /** Every stored user, by name. */
  Map<String, StoredUser> users() {
    return users;
  }

  /** Whether {@code user} holds the role admin. */
  public static boolean isAdmin(StoredUser user) {
    return user != null && user.getRolesList().contains(ADMIN);
  }

  /** The keys {@code userName} may read and write, by the roles it holds now (none for an unknown user). */
  public KeyGrants grantsOf(String userName) {
    return grants.computeIfAbsent(userName, name -> {
      StoredUser user = user(name);
      List<StoredRole> held = new ArrayList<>();
      if (user != null) {
        for (String roleName : user.getRolesList()) {
          StoredRole role = role(roleName);
          if (role != null) {
            held.add(role);
          }
        }
      }
      return KeyGrants.of(held);
    });
  }

  /** The users as the API lists them, by name, the built-in admin among them. */
  public List<User> listUsers() {
    Map<String, StoredUser> all = new TreeMap<>(users);
    all.putIfAbsent(ADMIN, ADMIN_USER);
    List<User> out = new ArrayList<>(all.size());
    for (StoredUser u : all.values()) {
      out.add(User.newBuilder().setName(u.getName()).addAllRoles(u.getRolesList()).setHasPassword(u.hasPassword())
          .setBuiltIn(ADMIN.equals(u.getName())).build());
    }
    return out;
  }

  /** The roles as the API lists them, by name, the built-in admin among them. */
  public List<Role> listRoles() {
    Map<String, StoredRole> all = new TreeMap<>(roles);
    all.put(ADMIN, ADMIN_ROLE);
    List<Role> out = new ArrayList<>(all.size());
    for (StoredRole r : all.values()) {
      out.add(Role.newBuilder().setName(r.getName()).addAllPermissions(r.getPermissionsList())
          .setBuiltIn(ADMIN.equals(r.getName())).build());
    }
    return out;
  }

  // ------------------------------------------------------------------ changed copies (the apply's)

  AuthView withFlag(boolean enabled) {
    return new AuthView(enabled, users, roles);
  }

  AuthView withUser(StoredUser user) {
    Map<String, StoredUser> copy = new TreeMap<>(users);
    copy.put(user.getName(), user);
    return new AuthView(flag, Collections.unmodifiableMap(copy), roles);
  }

  AuthView withUsers(Map<String, StoredUser> replaced) {
    Map<String, StoredUser> copy = new TreeMap<>(users);
    copy.putAll(replaced);
    return new AuthView(flag, Collections.unmodifiableMap(copy), roles);
  }

  AuthView withoutUser(String name) {
    Map<String, StoredUser> copy = new TreeMap<>(users);
    copy.remove(name);
    return new AuthView(flag, Collections.unmodifiableMap(copy), roles);
  }

  AuthView withRole(StoredRole role) {
    Map<String, StoredRole> copy = new TreeMap<>(roles);
    copy.put(role.getName(), role);
    return new AuthView(flag, users, Collections.unmodifiableMap(copy));
  }

  AuthView withoutRole(String name) {
    Map<String, StoredRole> copy = new TreeMap<>(roles);
    copy.remove(name);
    return new AuthView(flag, users, Collections.unmodifiableMap(copy));
  }
}
