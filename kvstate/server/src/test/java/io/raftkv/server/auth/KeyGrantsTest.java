package io.raftkv.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyRange;
import io.raftkv.api.Permission;
import io.raftkv.server.statemachine.pb.StoredRole;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which keys and ranges a set of roles covers, however their permissions split the key space. */
class KeyGrantsTest {
  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static Permission prefix(String p, Permission.Access access) {
    return Permission.newBuilder().setAccess(access).setPrefix(b(p)).build();
  }

  static Permission range(String start, String end, Permission.Access access) {
    return Permission.newBuilder().setAccess(access).setRange(KeyRange.newBuilder().setStart(b(start))
        .setEnd(b(end))).build();
  }

  private static KeyGrants grants(Permission... permissions) {
    return KeyGrants.of(List.of(StoredRole.newBuilder().setName("r").addAllPermissions(List.of(permissions)).build()));
  }

  @Test
  void aReadPermissionAllowsReadingButNotWriting() {
    KeyGrants g = grants(prefix("orders/", Permission.Access.READ));
    assertThat(g.allowsKey(b("orders/17"), false)).isTrue();
    assertThat(g.allowsKey(b("orders/17"), true)).isFalse();
  }

  @Test
  void aPrefixPermissionCoversNoKeyOutsideItsPrefix() {
    KeyGrants g = grants(prefix("orders/", Permission.Access.READWRITE));
    assertThat(g.allowsKey(b("orders/"), true)).isTrue();
    assertThat(g.allowsKey(b("orders0"), true)).isFalse();
    assertThat(g.allowsKey(b("order"), false)).isFalse();
    assertThat(g.allowsReadRange(b("orders/"), KeyGrants.prefixEnd(b("orders/")))).isTrue();
    assertThat(g.allowsReadRange(b("orders/"), ByteString.EMPTY)).isFalse();
  }

  @Test
  void aRangeIsHalfOpenAndAnEmptyEndIsUnbounded() {
    KeyGrants g = grants(range("b", "d", Permission.Access.READ));
    assertThat(g.allowsKey(b("b"), false)).isTrue();
    assertThat(g.allowsKey(b("czzz"), false)).isTrue();
    assertThat(g.allowsKey(b("d"), false)).isFalse();
    KeyGrants open = grants(range("m", "", Permission.Access.READ));
    assertThat(open.allowsKey(b("zzzz"), false)).isTrue();
    assertThat(open.allowsReadRange(b("m"), ByteString.EMPTY)).isTrue();
  }

  @Test
  void aScanRangeIsCoveredByAdjoiningPermissionsButNotAcrossAGap() {
    KeyGrants joined = grants(range("a", "c", Permission.Access.READ), range("c", "f", Permission.Access.READWRITE));
    assertThat(joined.allowsReadRange(b("a"), b("f"))).isTrue();
    assertThat(joined.allowsReadRange(b("b"), b("e"))).isTrue();
    KeyGrants gap = grants(range("a", "c", Permission.Access.READ), range("d", "f", Permission.Access.READ));
    assertThat(gap.allowsReadRange(b("a"), b("f"))).isFalse();
    assertThat(gap.allowsReadRange(b("d"), b("e"))).isTrue();
  }

  @Test
  void anEmptyPrefixCoversEveryKey() {
    KeyGrants g = grants(prefix("", Permission.Access.READWRITE));
    assertThat(g.allowsKey(b("\u00ff\u00ff"), true)).isTrue();
    assertThat(g.allowsReadRange(ByteString.EMPTY, ByteString.EMPTY)).isTrue();
  }

  @Test
  void noRolesAllowNothing() {
    KeyGrants none = KeyGrants.of(List.of());
    assertThat(none.allowsKey(b("k"), false)).isFalse();
    assertThat(none.admin()).isFalse();
  }
}
