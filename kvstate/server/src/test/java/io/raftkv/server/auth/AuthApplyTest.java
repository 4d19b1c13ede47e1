package io.raftkv.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyRange;
import io.raftkv.api.Permission;
import io.raftkv.server.statemachine.pb.AddUser;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.statemachine.pb.PasswordHash;
import io.raftkv.server.statemachine.pb.RolePermission;
import io.raftkv.server.statemachine.pb.SetPassword;
import io.raftkv.server.statemachine.pb.UserRole;
import io.raftkv.server.storage.GroupKeys;
import org.junit.jupiter.api.Test;

/** The apply of auth changes: hostile or stale ones are refused with a reason, deterministically, writing nothing. */
class AuthApplyTest {
  private static final PasswordHash HASH = PasswordHash.newBuilder().setAlgorithm(PasswordHasher.ALGORITHM)
      .setIterations(PasswordHasher.DEFAULT_ITERATIONS).setSalt(ByteString.copyFrom(new byte[16]))
      .setHash(ByteString.copyFrom(new byte[32])).build();

  private final AuthApply apply = new AuthApply(GroupKeys.firstGroup(), new AuthLimits(4096));

  private static AuthChange addUser(String name) {
    return AuthChange.newBuilder().setAddUser(AddUser.newBuilder().setName(name)).build();
  }

  private static AuthChange addRole(String name) {
    return AuthChange.newBuilder().setAddRole(name).build();
  }

  private static AuthChange grantRole(String user, String role) {
    return AuthChange.newBuilder().setGrantRole(UserRole.newBuilder().setUser(user).setRole(role)).build();
  }

  private static AuthChange grant(String role, Permission p) {
    return AuthChange.newBuilder().setGrantPermission(RolePermission.newBuilder().setRole(role).setPermission(p)).build();
  }

  private AuthView applied(AuthView view, long index, AuthChange change) {
    AuthApply.Outcome outcome = apply.apply(view, index, change);
    assertThat(outcome).isInstanceOf(AuthApply.Outcome.Applied.class);
    return ((AuthApply.Outcome.Applied) outcome).view();
  }

  private String refusal(AuthView view, AuthChange change) {
    AuthApply.Outcome outcome = apply.apply(view, 99, change);
    assertThat(outcome).isInstanceOf(AuthApply.Outcome.Refused.class);
    // the same change on the same view is refused the same way, every time
    assertThat(apply.apply(view, 99, change)).isEqualTo(outcome);
    return ((AuthApply.Outcome.Refused) outcome).message();
  }

  @Test
  void badNamesAreRefusedNamingTheBound() {
    assertThat(refusal(AuthView.empty(), addUser(""))).contains("1 to 64 characters");
    assertThat(refusal(AuthView.empty(), addUser("x".repeat(65)))).contains("65 characters");
    assertThat(refusal(AuthView.empty(), addUser("bad\nname"))).contains("control character");
    assertThat(refusal(AuthView.empty(), addRole("tab\there"))).contains("control character");
  }

  @Test
  void aForgedOrWeakHashRecordIsRefused() {
    AuthChange weak = AuthChange.newBuilder().setAddUser(AddUser.newBuilder().setName("u")
        .setPassword(HASH.toBuilder().setIterations(1))).build();
    assertThat(refusal(AuthView.empty(), weak)).contains("iterations 1 is out of range");
    AuthChange shortSalt = AuthChange.newBuilder().setAddUser(AddUser.newBuilder().setName("u")
        .setPassword(HASH.toBuilder().setSalt(ByteString.copyFrom(new byte[2])))).build();
    assertThat(refusal(AuthView.empty(), shortSalt)).contains("2-byte salt");
  }

  @Test
  void theBuiltInsCannotBeDeletedOrChanged() {
    assertThat(refusal(AuthView.empty(), AuthChange.newBuilder().setDeleteUser("admin").build()))
        .contains("cannot be deleted");
    assertThat(refusal(AuthView.empty(), AuthChange.newBuilder().setDeleteRole("admin").build()))
        .contains("cannot be deleted");
    assertThat(refusal(AuthView.empty(), grant("admin", KeyGrantsTest.prefix("a", Permission.Access.READ))))
        .contains("cannot be changed");
    assertThat(refusal(AuthView.empty(), addUser("admin"))).contains("already exists");
    assertThat(refusal(AuthView.empty(), addRole("admin"))).contains("already exists");
  }

  @Test
  void theBuiltInAdminMayGetAPassword() {
    AuthView view = applied(AuthView.empty(), 5, AuthChange.newBuilder().setSetPassword(SetPassword.newBuilder()
        .setName("admin").setPassword(HASH)).build());
    assertThat(view.user("admin").getPassword()).isEqualTo(HASH);
    assertThat(view.user("admin").getRolesList()).containsExactly("admin");
    assertThat(view.user("admin").getRevision()).isEqualTo(5);
  }

  @Test
  void grantingAMissingRoleOrToAMissingUserIsRefused() {
    AuthView view = applied(AuthView.empty(), 1, addUser("u"));
    assertThat(refusal(view, grantRole("u", "nope"))).isEqualTo("role 'nope' does not exist");
    assertThat(refusal(view, grantRole("ghost", "admin"))).isEqualTo("user 'ghost' does not exist");
  }

  @Test
  void hostilePermissionsAreRefused() {
    AuthView view = applied(AuthView.empty(), 1, addRole("r"));
    Permission backwards = Permission.newBuilder().setRange(KeyRange.newBuilder().setStart(ByteString.copyFromUtf8("z"))
        .setEnd(ByteString.copyFromUtf8("a"))).build();
    assertThat(refusal(view, grant("r", backwards))).contains("is empty");
    Permission huge = Permission.newBuilder().setPrefix(ByteString.copyFrom(new byte[5000])).build();
    assertThat(refusal(view, grant("r", huge))).contains("5000 bytes");
    assertThat(refusal(view, grant("r", Permission.getDefaultInstance()))).contains("needs a prefix or a key range");
    assertThat(refusal(view, grant("r", Permission.newBuilder().setAccessValue(7).setPrefix(ByteString.EMPTY).build())))
        .contains("not READ");
  }

  @Test
  void aRoleHoldsAtMostAHundredPermissions() {
    AuthView view = applied(AuthView.empty(), 1, addRole("r"));
    for (int i = 0; i < AuthLimits.MAX_PERMISSIONS_PER_ROLE; i++) {
      view = applied(view, 2 + i, grant("r", KeyGrantsTest.prefix("p" + i, Permission.Access.READ)));
    }
    assertThat(refusal(view, grant("r", KeyGrantsTest.prefix("one-more", Permission.Access.READ))))
        .contains("the most allowed (100)");
  }

  @Test
  void thereAreAtMostAThousandUsers() {
    AuthView view = AuthView.empty();
    for (int i = 0; i < AuthLimits.MAX_USERS; i++) {
      view = applied(view, 1 + i, addUser("u" + i));
    }
    assertThat(refusal(view, addUser("one-more"))).contains("the most allowed (1000)");
  }

  @Test
  void aChangeWithNoKindIsRefused() {
    assertThat(refusal(AuthView.empty(), AuthChange.getDefaultInstance())).contains("names no change");
  }

  @Test
  void grantingWhatIsHeldChangesNothing() {
    AuthView view = applied(applied(applied(AuthView.empty(), 1, addUser("u")), 2, addRole("r")), 3, grantRole("u", "r"));
    AuthApply.Outcome again = apply.apply(view, 4, grantRole("u", "r"));
    assertThat(again).isEqualTo(new AuthApply.Outcome.Applied(view, java.util.List.of(), false));
    assertThat(view.user("u").getRevision()).isEqualTo(3);
  }

  @Test
  void deletingARoleTakesItFromItsUsersAndBumpsTheirRevision() {
    AuthView view = applied(applied(applied(AuthView.empty(), 1, addUser("u")), 2, addRole("r")), 3, grantRole("u", "r"));
    view = applied(view, 9, AuthChange.newBuilder().setDeleteRole("r").build());
    assertThat(view.role("r")).isNull();
    assertThat(view.user("u").getRolesList()).isEmpty();
    assertThat(view.user("u").getRevision()).isEqualTo(9);
  }
}
