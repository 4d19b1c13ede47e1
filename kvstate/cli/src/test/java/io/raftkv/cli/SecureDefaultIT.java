package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.certs.ClusterCertificates;
import io.raftkv.testkit.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure default on real `deploy/bin/raftkv` processes: a server serves TLS or, only when told --insecure,
 * plaintext with a warning; a client command needs the cluster's CA; bad TLS files are refused at start, named.
 * The certificates come from `raftkv certs init`; no RAFTKV_ variable of the build's environment reaches the
 * processes, so each decides from its command line alone.
 */
class SecureDefaultIT {
  private static final Path REPO = Path.of(System.getProperty("raftkv.repo", "../.."));
  private static final Path RAFTKV = REPO.resolve("deploy/bin/raftkv");
  private static final long WAIT_SECONDS = 120;

  @TempDir
  static Path certs;

  @TempDir
  Path dir;

  private int clientPort;
  private int peerPort;
  private final List<Process> servers = new ArrayList<>();

  /** What a finished command did. */
  private record Finished(int code, String output) {}

  @BeforeAll
  static void makeCertificates() throws Exception {
    Finished init = runToEnd(certs.resolve("init.out"), "certs", "init", "--dir", certs.resolve("pki").toString(),
        "--nodes", "2");
    assertThat(init.code()).as(init.output()).isEqualTo(ExitCodes.OK);
  }

  @BeforeEach
  void pickPorts() {
    assertThat(Files.isExecutable(RAFTKV)).as("%s (built by mvn package)", RAFTKV).isTrue();
    Set<Integer> taken = new HashSet<>();
    clientPort = FreePorts.freePort(taken);
    peerPort = FreePorts.freePort(taken);
  }

  @AfterEach
  void killServers() {
    servers.forEach(Process::destroyForcibly);
  }

  private static Path pki(String file) {
    return certs.resolve("pki").resolve(file);
  }

  private String endpoint() {
    return "127.0.0.1:" + clientPort;
  }

  /** `raftkv server` as node 1 of a new one-node cluster on this test's ports, with {@code more} flags. */
  private List<String> serverArgs(String... more) {
    List<String> args = new ArrayList<>(List.of("server", "--id", "1", "--client-addr", endpoint(),
        "--peer-addr", "127.0.0.1:" + peerPort, "--peers", "1=127.0.0.1:" + peerPort,
        "--data-dir", dir.resolve("n1").toString(), "--tick-ms", "50"));
    args.addAll(List.of(more));
    return args;
  }

  private static ProcessBuilder raftkv(Path output, List<String> args) {
    List<String> command = new ArrayList<>(List.of(RAFTKV.toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    pb.environment().keySet().removeIf(name -> name.startsWith("RAFTKV_") && !name.equals("RAFTKV_JAVA_OPTS"));
    return pb;
  }

  private static Finished runToEnd(Path output, String... args) throws Exception {
    return runToEnd(output, List.of(args));
  }

  private static Finished runToEnd(Path output, List<String> args) throws Exception {
    Process p = raftkv(output, args).start();
    assertThat(p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).as("raftkv %s finished", args).isTrue();
    return new Finished(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }

  private Process startServer(Path log, List<String> args) throws IOException {
    Process p = raftkv(log, args).start();
    servers.add(p);
    return p;
  }

  /** Waits until the server's log says it serves (or it exits): returns the log. */
  private static String awaitServing(Process server, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      if (text.contains("serving clients on")) {
        return text;
      }
      assertThat(server.isAlive()).as("the server is still starting; its log:%n%s", text).isTrue();
      assertThat(System.nanoTime()).as("the server serves within %s s; its log:%n%s", WAIT_SECONDS, text)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void aServerWithoutTlsFlagsOrInsecureExitsWithUsageNamingTheFlagsAndTouchesNothing() throws Exception {
    Finished r = runToEnd(dir.resolve("server.out"), serverArgs());

    assertThat(r.code()).as(r.output()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.output()).contains("--cert, --key and --trusted-ca are required").contains("--insecure")
        .contains("raftkv certs init");
    assertThat(dir.resolve("n1")).as("the data directory of a node that did not start").doesNotExist();
  }

  @Test
  void anInsecureServerStartsWarnsOfPlaintextAndAnswersOnlyPlaintextClients() throws Exception {
    Path log = dir.resolve("server.log");
    Process server = startServer(log, serverArgs("--insecure"));

    String text = awaitServing(server, log);
    assertThat(text).contains("PLAINTEXT (--insecure)").contains("anyone who reaches these ports can read and"
        + " rewrite the cluster");
    Finished plain = runToEnd(dir.resolve("put.out"), "put", "k", "v", "--endpoints", endpoint(), "--insecure");
    assertThat(plain.code()).as(plain.output()).isEqualTo(ExitCodes.OK);
    Finished tls = runToEnd(dir.resolve("get.out"), "get", "k", "--endpoints", endpoint(), "--timeout", "2s",
        "--cacert", pki("ca.crt").toString());
    assertThat(tls.code()).as("a TLS client of a plaintext server: %s", tls.output())
        .isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(tls.output()).contains("does not speak TLS");
  }

  @Test
  void aTlsServerAnswersTheAdminsCertificateAndAClientWithoutCacertIsRefusedNamingIt() throws Exception {
    Path log = dir.resolve("server.log");
    Process server = startServer(log, serverArgs("--cert", pki("node-1.crt").toString(), "--key",
        pki("node-1.key").toString(), "--trusted-ca", pki("ca.crt").toString()));

    String text = awaitServing(server, log);
    assertThat(text).contains("TLS on both ports").doesNotContain("PLAINTEXT");
    Path pki = certs.resolve("pki");
    List<String> admin = List.of("--cacert", ClusterCertificates.caCertificate(pki).toString(),
        "--cert", ClusterCertificates.adminCertificate(pki).toString(),
        "--key", ClusterCertificates.adminKey(pki).toString());
    List<String> put = new ArrayList<>(List.of("put", "k", "tls", "--endpoints", endpoint()));
    put.addAll(admin);
    Finished written = runToEnd(dir.resolve("put.out"), put);
    assertThat(written.code()).as(written.output()).isEqualTo(ExitCodes.OK);
    List<String> get = new ArrayList<>(List.of("get", "k", "--endpoints", endpoint()));
    get.addAll(admin);
    Finished read = runToEnd(dir.resolve("get.out"), get);
    assertThat(read.code()).as(read.output()).isEqualTo(ExitCodes.OK);
    assertThat(read.output()).contains("tls");

    Finished bare = runToEnd(dir.resolve("bare.out"), "get", "k", "--endpoints", endpoint());
    assertThat(bare.code()).as(bare.output()).isEqualTo(ExitCodes.USAGE);
    assertThat(bare.output()).contains("--cacert is required");
    Finished plain = runToEnd(dir.resolve("plain.out"), "get", "k", "--endpoints", endpoint(), "--timeout", "2s",
        "--insecure");
    assertThat(plain.code()).as("a plaintext client of a TLS server: %s", plain.output())
        .isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(plain.output()).contains("this client spoke plaintext");
  }

  @Test
  void aNodeGivenAnotherNodesCertificateAsPeerCertIsRefusedAtStartNamingTheFile() throws Exception {
    Finished r = runToEnd(dir.resolve("server.out"), serverArgs("--cert", pki("node-1.crt").toString(), "--key",
        pki("node-1.key").toString(), "--trusted-ca", pki("ca.crt").toString(),
        "--peer-cert", pki("node-2.crt").toString(), "--peer-key", pki("node-2.key").toString()));

    assertThat(r.code()).as(r.output()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.output()).contains("peer certificate " + pki("node-2.crt") + " names raftkv://raftkv/node/2"
        + " but this is raftkv://raftkv/node/1");
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void aMissingCertFileIsRefusedAtStartNamingTheFile() throws Exception {
    Path missing = pki("node-9.crt");
    Finished r = runToEnd(dir.resolve("server.out"), serverArgs("--cert", missing.toString(), "--key",
        pki("node-1.key").toString(), "--trusted-ca", pki("ca.crt").toString()));

    assertThat(r.code()).as(r.output()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.output()).contains(missing.toString()).contains("missing (no such file)");
    assertThat(dir.resolve("n1")).doesNotExist();
  }
}
