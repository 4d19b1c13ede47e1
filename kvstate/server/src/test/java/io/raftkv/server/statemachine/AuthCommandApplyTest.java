package io.raftkv.server.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.Error;
import io.raftkv.api.Permission;
import io.raftkv.server.auth.AuthView;
import io.raftkv.server.auth.KeyGrants;
import io.raftkv.server.statemachine.pb.AddUser;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.statemachine.pb.RolePermission;
import io.raftkv.server.statemachine.pb.UserRole;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Auth changes through the state machine over real RocksDB: applied in order, durable, refused ones write nothing. */
class AuthCommandApplyTest {
  @TempDir
  Path dir;

  private StorageEngine engine;
  private KvStateMachine sm;
  private long index;

  @BeforeEach
  void open() {
    engine = StorageEngine.open(dir, "c1", 1);
    sm = new KvStateMachine(engine, GroupKeys.firstGroup(), KvLimits.DEFAULT, new SessionPolicy(1_000, 8));
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private WriteOutcome apply(AuthChange... changes) {
    WriteOutcome last = null;
    try (ApplyBatch batch = sm.newBatch()) {
      for (AuthChange change : changes) {
        index++;
        last = sm.applyCommand(batch, index, 1, CommandCodec.encodeAuth(change, 0));
      }
      sm.seal(batch);
      engine.write(batch.writeBatch(), false);
      sm.onWritten(batch);
    }
    return last;
  }

  @Test
  void changesInOneRoundSeeEachOtherAndArePublishedOnceWritten() {
    WriteOutcome outcome = apply(AuthChange.newBuilder().setAddRole("reader").build(),
        AuthChange.newBuilder().setGrantPermission(RolePermission.newBuilder().setRole("reader")
            .setPermission(KeyGrantsTestAccess.prefix("orders/"))).build(),
        AuthChange.newBuilder().setAddUser(AddUser.newBuilder().setName("sink")).build(),
        AuthChange.newBuilder().setGrantRole(UserRole.newBuilder().setUser("sink").setRole("reader")).build());
    assertThat(outcome.error()).isNull();
    assertThat(outcome.response().getIndex()).isEqualTo(4);
    KeyGrants grants = sm.authView().grantsOf("sink");
    assertThat(grants.allowsKey(com.google.protobuf.ByteString.copyFromUtf8("orders/1"), false)).isTrue();
    assertThat(grants.allowsKey(com.google.protobuf.ByteString.copyFromUtf8("orders/1"), true)).isFalse();
  }

  @Test
  void theUsersAndRolesSurviveReopeningTheStore() {
    apply(AuthChange.newBuilder().setAddRole("r").build(), AuthChange.newBuilder().setSetEnabled(true).build(),
        AuthChange.newBuilder().setAddUser(AddUser.newBuilder().setName("u")).build());
    engine.close();
    engine = StorageEngine.open(dir, "c1", 1);
    sm = new KvStateMachine(engine, GroupKeys.firstGroup(), KvLimits.DEFAULT, new SessionPolicy(1_000, 8));
    AuthView view = sm.authView();
    assertThat(view.role("r")).isNotNull();
    assertThat(view.user("u")).isNotNull();
    assertThat(view.flag()).contains(true);
    assertThat(view.enforced(false)).isTrue();
  }

  @Test
  void aRefusedChangeAnswersInvalidArgumentAndWritesNothing() {
    WriteOutcome outcome = apply(AuthChange.newBuilder().setDeleteUser("nobody").build());
    assertThat(outcome.error().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(outcome.error().getMessage()).isEqualTo("user 'nobody' does not exist");
    assertThat(sm.authView().listUsers()).extracting(u -> u.getName()).containsExactly("admin");
    assertThat(sm.applyState().getAppliedIndex()).isEqualTo(1);
  }

  @Test
  void withoutAFlagAuthFollowsClientTls() {
    assertThat(sm.authView().flag()).isEmpty();
    assertThat(sm.authView().enforced(false)).isFalse();
    assertThat(sm.authView().enforced(true)).isTrue();
    apply(AuthChange.newBuilder().setSetEnabled(false).build());
    assertThat(sm.authView().enforced(true)).isFalse();
  }

  /** Permissions for these tests. */
  private static final class KeyGrantsTestAccess {
    static Permission prefix(String p) {
      return Permission.newBuilder().setAccess(Permission.Access.READ).setPrefix(
          com.google.protobuf.ByteString.copyFromUtf8(p)).build();
    }
  }
}
