package io.raftkv.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.raftkv.api.Error;
import io.raftkv.api.tls.PeerIdentity;
import io.raftkv.server.statemachine.pb.AddUser;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.storage.GroupKeys;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** Who a call runs as: a certificate's user, else a valid token's, else nobody; and what each may do. */
class AccessControlTest {
  private final AuthApply apply = new AuthApply(GroupKeys.firstGroup(), new AuthLimits(4096));
  private final TokenStore tokens = new TokenStore(100, Duration.ofMinutes(5), System::nanoTime);

  private static <T> T in(Context context, Callable<T> call) throws Exception {
    return context.call(call);
  }

  private AuthView withUser(AuthView view, String name, long index) {
    return ((AuthApply.Outcome.Applied) apply.apply(view, index, AuthChange.newBuilder().setAddUser(
        AddUser.newBuilder().setName(name)).build())).view();
  }

  @Test
  void withoutTheFlagAuthIsEnforcedExactlyWhenTheClientPortRunsTls() throws Exception {
    AccessControl plaintext = new AccessControl(AuthView::empty, tokens, false);
    AccessControl tls = new AccessControl(AuthView::empty, tokens, true);
    assertThat(plaintext.caller()).isInstanceOf(Caller.Unrestricted.class);
    assertThat(plaintext.refuseKey(plaintext.caller(), ByteString.copyFromUtf8("k"), true)).isNull();
    Caller nobody = tls.caller();
    assertThat(nobody).isInstanceOf(Caller.Anonymous.class);
    assertThat(tls.refuseKey(nobody, ByteString.copyFromUtf8("k"), false).getCode())
        .isEqualTo(Error.Code.UNAUTHENTICATED);
  }

  @Test
  void anExplicitFlagOverridesTheClientPortsTls() {
    AuthView off = ((AuthApply.Outcome.Applied) apply.apply(AuthView.empty(), 1,
        AuthChange.newBuilder().setSetEnabled(false).build())).view();
    assertThat(new AccessControl(() -> off, tokens, true).caller()).isInstanceOf(Caller.Unrestricted.class);
  }

  @Test
  void aCertificateUserComesFirstAndTheBuiltInAdminMayDoEverything() throws Exception {
    AccessControl access = new AccessControl(AuthView::empty, tokens, true);
    Caller admin = in(Context.current().withValue(PeerIdentity.CONTEXT_KEY, new PeerIdentity.User("admin"))
        .withValue(TokenInterceptor.TOKEN, "ignored"), access::caller);
    assertThat(admin).isInstanceOf(Caller.Known.class);
    assertThat(access.refuseUnlessAdmin(admin, "Backup")).isNull();
    assertThat(access.refuseKey(admin, ByteString.copyFromUtf8("any"), true)).isNull();
  }

  @Test
  void aCertificateUserWithoutRolesIsRefusedNamingItsMissingPermission() throws Exception {
    AuthView view = withUser(AuthView.empty(), "cn-user", 1);
    AccessControl access = new AccessControl(() -> view, tokens, true);
    Caller user = in(Context.current().withValue(PeerIdentity.CONTEXT_KEY, new PeerIdentity.User("cn-user")),
        access::caller);
    Error refused = access.refuseKey(user, ByteString.copyFromUtf8("orders/\n17"), false);
    assertThat(refused.getCode()).isEqualTo(Error.Code.PERMISSION_DENIED);
    assertThat(refused.getMessage()).isEqualTo("user 'cn-user' may not read key 'orders/\\x0a17': it needs read on it"
        + " (roles: none)");
  }

  @Test
  void aTokenStandsForItsUserUntilTheUsersRevisionMoves() throws Exception {
    AuthView[] view = {withUser(AuthView.empty(), "u", 1)};
    AccessControl access = new AccessControl(() -> view[0], tokens, true);
    String token = tokens.issue("u", 1);
    Context withToken = Context.current().withValue(TokenInterceptor.TOKEN, token);
    assertThat(in(withToken, access::caller)).isInstanceOf(Caller.Known.class);
    view[0] = ((AuthApply.Outcome.Applied) apply.apply(view[0], 2, AuthChange.newBuilder().setDeleteUser("u")
        .build())).view();
    view[0] = withUser(view[0], "u", 3);
    Caller stale = in(withToken, access::caller);
    assertThat(stale).isInstanceOf(Caller.BadToken.class);
    assertThat(access.refuseAnonymous(stale).getCode()).isEqualTo(Error.Code.INVALID_TOKEN);
    assertThat(tokens.lookup(token)).as("dropped").isNull();
  }
}
