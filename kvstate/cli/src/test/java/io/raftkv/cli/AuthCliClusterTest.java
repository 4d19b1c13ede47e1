package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.server.auth.AuthView;
import io.raftkv.server.service.RaftKvServer;
import io.raftkv.testkit.InProcessCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * raftkv auth, user and role against 3-node clusters in this JVM, and client commands as a user: refusals
 * exit 4 with the cluster's message, bad flags exit 2 naming the flag; users and roles survive a backup and
 * restore.
 */
class AuthCliClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private record Result(int code, String out, String err) {}

  private static synchronized Result run(String... args) {
    CommandLine cli = RaftKvCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = cli.execute(args);
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(stdout);
    }
  }

  private Path secret(String name, String password) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, password + "\n");
    return file;
  }

  private static String[] with(String[] args, String... more) {
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  @Test
  void usersAndRolesAreManagedThroughTheCliAndARefusedPutExitsFourWithTheMessage() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(dir.resolve("c"), 3).tls().startWithLeader()) {
      // Over TLS, as a cluster runs by default: the CLI trusts the cluster's CA and, until a user is named, is
      // nobody; the admin certificate is the built-in admin, which manages users and roles from the start.
      io.raftkv.api.tls.TlsFiles adminCertificate = cluster.certificates().orElseThrow().user("admin");
      String[] at = {"--endpoints", cluster.endpoints(), "--cacert", adminCertificate.trustedCa().toString()};
      String[] byCert = with(at, "--cert", adminCertificate.certChain().toString(), "--key",
          adminCertificate.privateKey().toString());
      Path sinkPw = secret("sink.pw", "pw-sink");
      Path adminPw = secret("admin.pw", "pw-admin");
      assertThat(run(with(new String[] {"user", "passwd", "admin", "--new-password-file", adminPw.toString()},
          byCert))
          .out()).contains("OK password of user 'admin' changed");
      assertThat(run(with(new String[] {"role", "add", "reader"}, byCert)).code()).isZero();
      assertThat(run(with(new String[] {"role", "grant", "reader", "--prefix", "orders/", "--read"}, byCert)).out())
          .contains("OK granted read prefix 'orders/' to role 'reader'");
      assertThat(run(with(new String[] {"role", "grant", "reader", "--from", "a", "--to", "c", "--read"}, byCert)).code())
          .isZero();
      assertThat(run(with(new String[] {"user", "add", "sink", "--new-password-file", sinkPw.toString()}, byCert)).out())
          .contains("OK user 'sink' added");
      assertThat(run(with(new String[] {"user", "grant-role", "sink", "reader"}, byCert)).out())
          .contains("OK role 'reader' granted to user 'sink'");
      assertThat(run(with(new String[] {"user", "grant-role", "sink", "reader"}, byCert)).out())
          .contains("already holds role 'reader'");
      Result again = run(with(new String[] {"user", "add", "sink", "--no-password"}, byCert));
      assertThat(again.code()).isEqualTo(ExitCodes.REFUSED);
      assertThat(again.err()).contains("user 'sink' already exists");

      Result users = run(with(new String[] {"user", "list"}, byCert));
      assertThat(users.out()).contains("admin (built-in)").containsPattern("sink +yes +reader");
      Result roles = run(with(new String[] {"role", "list"}, byCert));
      assertThat(roles.out()).contains("reader:", "  read prefix 'orders/'", "  read range ['a', 'c')",
          "admin (built-in): every permission");

      assertThat(run(with(new String[] {"auth", "enable"}, byCert)).out()).contains("OK authentication enabled");
      String[] asSink = with(at, "--user", "sink", "--password-file", sinkPw.toString());
      Result put = run(with(new String[] {"put", "orders/17", "x"}, asSink));
      assertThat(put.code()).isEqualTo(ExitCodes.REFUSED);
      assertThat(put.err()).contains("PERMISSION_DENIED: user 'sink' may not write key 'orders/17': it needs readwrite"
          + " on it (roles: reader)");
      Result anonymous = run(with(new String[] {"get", "orders/17"}, at));
      assertThat(anonymous.code()).isEqualTo(ExitCodes.REFUSED);
      assertThat(anonymous.err()).contains("call needs a user");
      assertThat(run(with(new String[] {"get", "orders/17"}, asSink)).code()).isEqualTo(ExitCodes.NOT_FOUND_OR_NOT_MATCHED);
      Result wrong = run(with(new String[] {"get", "orders/17"}, with(at, "--user", "sink", "--password-file",
          secret("wrong.pw", "guess-123").toString())));
      assertThat(wrong.code()).isEqualTo(ExitCodes.REFUSED);
      assertThat(wrong.err()).contains("UNAUTHENTICATED").doesNotContain("guess-123");
      assertThat(run(with(new String[] {"user", "list"}, asSink)).code()).isEqualTo(ExitCodes.REFUSED);

      String[] asAdmin = with(at, "--user", "admin", "--password-file", adminPw.toString());
      assertThat(run(with(new String[] {"auth", "status"}, asAdmin)).out())
          .contains("authentication: enabled", "you are: user 'admin' (roles: admin)");
      assertThat(run(with(new String[] {"user", "revoke-role", "sink", "reader"}, asAdmin)).code()).isZero();
      assertThat(run(with(new String[] {"user", "delete", "sink"}, asAdmin)).out()).contains("OK user 'sink' deleted");
      assertThat(run(with(new String[] {"role", "delete", "reader"}, asAdmin)).code()).isZero();
      assertThat(run(with(new String[] {"auth", "disable"}, asAdmin)).code()).isZero();
      assertThat(run(with(new String[] {"auth", "status"}, at)).out()).contains("authentication: disabled");
    }
  }

  @Test
  void aCertificateUserIsTheUserItsCommonNameNames() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(dir.resolve("c"), 1).tls().startWithLeader()) {
      io.raftkv.api.tls.TlsFiles admin = cluster.certificates().orElseThrow().user("admin");
      io.raftkv.api.tls.TlsFiles auditor = cluster.certificates().orElseThrow().user("auditor");
      String[] asAdmin = {"--endpoints", cluster.endpoints(), "--cacert", admin.trustedCa().toString(), "--cert",
          admin.certChain().toString(), "--key", admin.privateKey().toString()};
      String[] asAuditor = {"--endpoints", cluster.endpoints(), "--cacert", auditor.trustedCa().toString(), "--cert",
          auditor.certChain().toString(), "--key", auditor.privateKey().toString()};
      assertThat(run(with(new String[] {"role", "add", "reader"}, asAdmin)).code()).isZero();
      assertThat(run(with(new String[] {"role", "grant", "reader", "--prefix", "orders/", "--read"}, asAdmin)).code())
          .isZero();
      assertThat(run(with(new String[] {"user", "add", "auditor", "--no-password"}, asAdmin)).code()).isZero();
      assertThat(run(with(new String[] {"user", "grant-role", "auditor", "reader"}, asAdmin)).code()).isZero();
      assertThat(run(with(new String[] {"put", "orders/1", "book"}, asAdmin)).code()).isZero();

      assertThat(run(with(new String[] {"auth", "status"}, asAuditor)).out())
          .contains("you are: user 'auditor' (roles: reader)");
      assertThat(run(with(new String[] {"get", "orders/1"}, asAuditor)).out()).contains("book");
      Result put = run(with(new String[] {"put", "orders/2", "lamp"}, asAuditor));
      assertThat(put.code()).isEqualTo(ExitCodes.REFUSED);
      assertThat(put.err()).contains("user 'auditor' may not write key 'orders/2'");
      Result members = run(with(new String[] {"members", "add", "9", "--peer-addr", "127.0.0.1:1", "--client-addr",
          "127.0.0.1:2"}, asAuditor));
      assertThat(members.code()).isEqualTo(ExitCodes.REFUSED);
      assertThat(members.err()).contains("user 'auditor'").contains("admin");
    }
  }

  @Test
  void badAuthFlagsExitTwoNamingTheFlag() throws Exception {
    String[] at = {"--endpoints", "127.0.0.1:1", "--timeout", "1s", "--insecure"};
    Result both = run(with(new String[] {"role", "grant", "r", "--prefix", "p", "--read", "--readwrite"}, at));
    assertThat(both.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("give exactly one of --read and --readwrite");
    Result keys = run(with(new String[] {"role", "grant", "r", "--read"}, at));
    assertThat(keys.err()).contains("give either --prefix P or --from A [--to B]");
    Result backwards = run(with(new String[] {"role", "grant", "r", "--from", "z", "--to", "a", "--read"}, at));
    assertThat(backwards.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(backwards.err()).contains("--from 'z' is not before --to 'a'");
    Result missing = run(with(new String[] {"get", "k", "--user", "u", "--password-file",
        dir.resolve("absent").toString()}, at));
    assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("--password-file " + dir.resolve("absent") + " cannot be read");
    Result noUser = run(with(new String[] {"get", "k", "--password-file", secret("p", "x").toString()}, at));
    assertThat(noUser.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noUser.err()).contains("--password-file is given without --user");
    Result empty = run(with(new String[] {"user", "add", "u", "--new-password-file", secret("e", "").toString()}, at));
    assertThat(empty.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(empty.err()).contains("--new-password-file").contains("a password is 1 to 1024 bytes");
  }

  @Test
  void usersAndRolesSurviveABackupAndRestore() throws Exception {
    Path backup = dir.resolve("auth.rkvb");
    Path adminPw = secret("admin.pw", "pw-admin");
    try (InProcessCluster cluster = InProcessCluster.builder(dir.resolve("old"), 3).clusterId("prod").startWithLeader()) {
      String[] at = {"--endpoints", cluster.endpoints(), "--insecure"};
      assertThat(run(with(new String[] {"user", "passwd", "admin", "--new-password-file", adminPw.toString()}, at))
          .code()).isZero();
      assertThat(run(with(new String[] {"role", "add", "reader"}, at)).code()).isZero();
      assertThat(run(with(new String[] {"role", "grant", "reader", "--prefix", "orders/", "--read"}, at)).code())
          .isZero();
      assertThat(run(with(new String[] {"user", "add", "sink", "--new-password-file", secret("s", "pw-sink")
          .toString()}, at)).code()).isZero();
      assertThat(run(with(new String[] {"user", "grant-role", "sink", "reader"}, at)).code()).isZero();
      assertThat(run(with(new String[] {"auth", "enable"}, at)).code()).isZero();
      Result refused = run(with(new String[] {"backup", "--out", backup.toString()}, at));
      assertThat(refused.code()).isEqualTo(ExitCodes.REFUSED);
      Result taken = run(with(new String[] {"backup", "--out", backup.toString()}, with(at, "--user", "admin",
          "--password-file", adminPw.toString())));
      assertThat(taken.code()).as(taken.err()).isZero();
    }
    InProcessCluster restored = InProcessCluster.builder(dir.resolve("new"), 3).clusterId("prod").foundingPeersOnly()
        .create();
    for (long id = 1; id <= 3; id++) {
      assertThat(RaftKvCli.run("restore", "--from", backup.toString(), "--data-dir", restored.dataDir(id).toString(),
          "--id", String.valueOf(id), "--peers", restored.peers())).isZero();
    }
    try (InProcessCluster fresh = restored.startAll()) {
      fresh.awaitLeader(WAIT);
      for (RaftKvServer s : fresh.servers()) {
        AuthView view = s.node().authView();
        assertThat(view.flag()).contains(true);
        assertThat(view.user("sink").getRolesList()).containsExactly("reader");
        assertThat(view.user("admin").hasPassword()).isTrue();
      }
      String[] asSink = {"--endpoints", fresh.endpoints(), "--insecure", "--user", "sink", "--password-file",
          dir.resolve("s").toString()};
      Result put = run(with(new String[] {"put", "orders/1", "x"}, asSink));
      assertThat(put.code()).isEqualTo(ExitCodes.REFUSED);
      assertThat(put.err()).contains("user 'sink' may not write key 'orders/1'");
      assertThat(run(with(new String[] {"put", "orders/1", "x"}, "--endpoints", fresh.endpoints(), "--insecure",
          "--user", "admin",
          "--password-file", adminPw.toString())).code()).isZero();
    }
  }
}
