package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Bad command lines get exit code 2 and a message naming the bad value and what is allowed. */
class CliArgumentsTest {
  private record Result(int code, String err, String out) {}

  private static Result run(String... args) {
    CommandLine cli = RaftKvCli.commandLine();
    StringWriter err = new StringWriter();
    StringWriter out = new StringWriter();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(out));
    int code = cli.execute(args);
    return new Result(code, err.toString(), out.toString());
  }

  @Test
  void unknownOptionIsAUsageError() {
    Result r = run("put", "--bogus", "k", "v");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--bogus");
  }

  @Test
  void watchRejectsANegativeStartIndex() {
    Result r = run("watch", "--from", "-1", "--endpoints", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--from is -1");
  }

  @Test
  void serverRejectsAMalformedFeedRetention() {
    Result r = run("server", "--id", "1", "--client-addr", "127.0.0.1:1", "--peer-addr", "127.0.0.1:2",
        "--data-dir", "/tmp/none", "--peers", "1=127.0.0.1:2", "--feed-retention-age", "forever");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--feed-retention-age is 'forever'");
    Result entries = run("server", "--id", "1", "--client-addr", "127.0.0.1:1", "--peer-addr", "127.0.0.1:2",
        "--data-dir", "/tmp/none", "--peers", "1=127.0.0.1:2", "--feed-retention-entries", "-5");
    assertThat(entries.err()).contains("--feed-retention-entries is '-5'");
  }

  @Test
  void binaryBytesDisplayAsHexAndTextAsItself() {
    assertThat(Bytes.display(Bytes.of("plain text"))).isEqualTo("plain text");
    assertThat(Bytes.display(com.google.protobuf.ByteString.copyFrom(new byte[] {0, 1, (byte) 0xff})))
        .isEqualTo("0x0001ff");
    assertThat(Bytes.display(Bytes.of("line\nbreak"))).startsWith("0x");
  }

  @Test
  void serverRejectsANonPositiveId() {
    Result r = run("server", "--id", "-3", "--client-addr", "127.0.0.1:1", "--peer-addr", "127.0.0.1:2",
        "--data-dir", "/tmp/none", "--peers", "1=127.0.0.1:2");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--id is -3");
  }

  @Test
  void serverRejectsAMalformedAddress() {
    Result r = run("server", "--id", "1", "--client-addr", "localhost", "--peer-addr", "127.0.0.1:2",
        "--data-dir", "/tmp/none", "--peers", "1=127.0.0.1:2");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("'localhost' is not an address: expected host:port");
  }

  @Test
  void serverRejectsPeersThatDoNotListItself() {
    Result r = run("server", "--id", "4", "--client-addr", "127.0.0.1:1", "--peer-addr", "127.0.0.1:2",
        "--data-dir", "/tmp/none", "--peers", "1=127.0.0.1:2");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("does not list this node (--id 4)");
  }

  @Test
  void serverRejectsAPeerEntryWithoutId() {
    Result r = run("server", "--id", "1", "--client-addr", "127.0.0.1:1", "--peer-addr", "127.0.0.1:2",
        "--data-dir", "/tmp/none", "--peers", "127.0.0.1:2");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("expected ID=HOST:PORT");
  }

  @Test
  void serverRejectsAPortOutOfRange() {
    Result r = run("server", "--id", "1", "--client-addr", "127.0.0.1:70000", "--peer-addr", "127.0.0.1:2",
        "--data-dir", "/tmp/none", "--peers", "1=127.0.0.1:2");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("port 70000: expected 1-65535");
  }

  @Test
  void badTimeoutNamesTheFormat() {
    Result r = run("get", "k", "--timeout", "soon");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--timeout is 'soon'");
  }

  @Test
  void casNeedsExactlyOneExpectation() {
    Result r = run("cas", "k", "v");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void unreachableClusterExitsWithUnavailable() {
    Result r = run("get", "k", "--endpoints", "127.0.0.1:1", "--timeout", "300ms", "--insecure");
    assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err()).contains("TIMEOUT");
  }

  @Test
  void tortureRefusesANodeCountOtherThanThreeOrFiveAndUnknownFaults() {
    Result nodes = run("torture", "--nodes", "4", "--duration", "1s");
    assertThat(nodes.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(nodes.err()).contains("--nodes is 4: the rig runs 3 or 5 nodes");
    Result faults = run("torture", "--faults", "kill,boom", "--duration", "1s");
    assertThat(faults.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(faults.err()).contains("--faults names 'boom'").contains("kill,pause,partition,drop-delay,wipe,flood,poison");
  }

  @Test
  void tortureRefusesANonEmptyDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Files.writeString(dir.resolve("left-over"), "x");
    Result r = run("torture", "--dir", dir.toString(), "--duration", "1s");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--dir " + dir + " is not empty");
  }

  /** Every command path, e.g. "members add", under {@code cli}. */
  private static void commandPaths(CommandLine cli, String prefix, List<String> out) {
    for (Map.Entry<String, CommandLine> sub : cli.getSubcommands().entrySet()) {
      if (sub.getKey().equals("help")) {
        continue;
      }
      String path = prefix.isEmpty() ? sub.getKey() : prefix + " " + sub.getKey();
      out.add(path);
      commandPaths(sub.getValue(), path, out);
    }
  }

  @Test
  void helpPrintsTheUsageOfEveryCommand() {
    List<String> paths = new ArrayList<>();
    commandPaths(RaftKvCli.commandLine(), "", paths);
    assertThat(paths).contains("get", "server", "members add", "watch", "backup");
    for (String path : paths) {
      List<String> args = new ArrayList<>(List.of(path.split(" ")));
      args.add("--help");
      Result r = run(args.toArray(String[]::new));
      assertThat(r.code()).as(path + " --help exit code; err: " + r.err()).isEqualTo(ExitCodes.OK);
      assertThat(r.out()).as(path + " --help").contains("Usage: raftkv " + path);
    }
  }

  @Test
  void getVersionStillSelectsPrintingTheKeysVersion() {
    GetCommand get = new GetCommand();
    new CommandLine(get).parseArgs("k", "--version");
    assertThat(get.showVersion).isTrue();
  }

  @Test
  void anEmptyEndpointsOptionIsRefusedRatherThanReplacedByTheDefault() {
    Result r = run("get", "k", "--endpoints", "");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--endpoints is ''");
    Result blank = run("get", "k", "--endpoints", " , ");
    assertThat(blank.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(blank.err()).contains("--endpoints is ' , '");
    Result malformed = run("put", "k", "v", "--endpoints", "127.0.0.1:1,nohost");
    assertThat(malformed.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(malformed.err()).contains("--endpoints: 'nohost' is not an address");
  }

  @Test
  void anEmptyEnvironmentEndpointListIsRefusedNamingTheVariable() {
    ClientOptions options = new ClientOptions();
    assertThatThrownBy(() -> options.endpointList(""))
        .hasMessageContaining("$RAFTKV_ENDPOINTS is ''");
    assertThat(options.endpointList(null)).containsExactly(ClientOptions.DEFAULT_ENDPOINT);
  }

  @Test
  void aDurationTooLargeForTheClockIsABadCommandLineNamingTheOption() {
    Result huge = run("get", "k", "--timeout", "99999999999999999999999d");
    assertThat(huge.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(huge.err()).contains("--timeout is '99999999999999999999999d': too long; at most 3650d");
    Result days = run("get", "k", "--timeout", "106751991167301d");
    assertThat(days.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(days.err()).contains("--timeout is '106751991167301d'");
    Result age = run("server", "--id", "1", "--client-addr", "127.0.0.1:1", "--peer-addr", "127.0.0.1:2",
        "--data-dir", "/tmp/none", "--peers", "1=127.0.0.1:2", "--feed-retention-age", "9999999999h");
    assertThat(age.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(age.err()).contains("--feed-retention-age is '9999999999h': too long");
  }

  @Test
  void anEndpointAnsweringUnimplementedIsNamedAsPerhapsAPeerPort() throws Exception {
    Server bare = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).build().start();
    try {
      String endpoint = "127.0.0.1:" + bare.getPort();
      Result r = run("get", "k", "--endpoints", endpoint, "--timeout", "5s", "--insecure");
      assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("UNIMPLEMENTED").contains("is it a peer port?").contains(endpoint);
    } finally {
      bare.shutdownNow();
    }
  }

  private static String[] server(String... extra) {
    List<String> args = new ArrayList<>(List.of("server", "--id", "1", "--client-addr", "127.0.0.1:1",
        "--peer-addr", "127.0.0.1:2", "--data-dir", "/tmp/none", "--peers", "1=127.0.0.1:2"));
    for (int i = 0; i < extra.length; i += 2) {
      int at = args.indexOf(extra[i]);
      if (at >= 0) {
        args.set(at + 1, extra[i + 1]);
      } else {
        args.add(extra[i]);
        args.add(extra[i + 1]);
      }
    }
    return args.toArray(String[]::new);
  }

  @Test
  void serverRefusesATickOutsideItsDocumentedRange() {
    Result low = run(server("--tick-ms", "1"));
    assertThat(low.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(low.err()).contains("--tick-ms is 1: expected a whole number from 10 to 10000");
    Result high = run(server("--tick-ms", "4294967306"));
    assertThat(high.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(high.err()).contains("--tick-ms is 4294967306: expected a whole number from 10 to 10000");
    Result election = run(server("--election-ticks", "4294967306"));
    assertThat(election.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(election.err()).contains("--election-ticks is 4294967306: expected a whole number from 3 to 1000");
  }

  @Test
  void serverRefusesTwoMembersOnOneAddressAndOnePortForBothRoles() {
    Result twice = run(server("--peers", "1=127.0.0.1:2,2=127.0.0.1:2"));
    assertThat(twice.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(twice.err()).contains("--peers gives nodes 1 and 2 the same address 127.0.0.1:2");
    Result samePort = run(server("--client-addr", "127.0.0.1:2"));
    assertThat(samePort.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(samePort.err()).contains("use the same port 2");
  }

  @Test
  void serverRefusesAnAddressThatIsNotThisHosts() {
    // 192.0.2.0/24 is TEST-NET-1: documentation only, never a real host's address.
    Result r = run(server("--client-addr", "192.0.2.7:7001"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--client-addr 192.0.2.7:7001").contains("is not an address of this host");
    Result unresolved = run(server("--peer-addr", "no-such-host.invalid:2", "--peers", "1=no-such-host.invalid:2"));
    assertThat(unresolved.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unresolved.err()).contains("--peer-addr no-such-host.invalid:2: host 'no-such-host.invalid' does not resolve");
  }

  @Test
  void serverRefusesAnEmptyDataDirFlagAndABadClusterId() {
    Result dir = run(server("--data-dir", ""));
    assertThat(dir.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(dir.err()).contains("--data-dir is empty");
    Result cluster = run(server("--cluster-id", "a b"));
    assertThat(cluster.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(cluster.err()).contains("--cluster-id is 'a b': expected 1-64 characters");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aPortInUseIsFoundBeforeTheDataDirectoryIsCreated(@TempDir Path root) throws Exception {
    Path dir = root.resolve("node-1");
    try (ServerSocket taken = new ServerSocket(0)) {
      int peer = freePort();
      Result r = run("server", "--id", "1", "--client-addr", "127.0.0.1:" + taken.getLocalPort(), "--peer-addr",
          "127.0.0.1:" + peer, "--data-dir", dir.toString(), "--peers", "1=127.0.0.1:" + peer);
      assertThat(r.code()).isEqualTo(ExitCodes.CANNOT_START);
      assertThat(r.err()).contains("cannot start: --client-addr 127.0.0.1:" + taken.getLocalPort())
          .contains("is in use");
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void aForeignNonEmptyDataDirectoryIsRefusedAndLeftUntouched(@TempDir Path root) throws Exception {
    Path dir = root.resolve("photos");
    Files.createDirectories(dir.resolve("snapshots"));
    Files.writeString(dir.resolve("snapshots").resolve("holiday.jpg"), "not raftkv");
    Files.writeString(dir.resolve("notes.txt"), "mine");
    Map<String, String> before = listing(dir);
    int client = freePort();
    int peer = freePort();
    Result r = run("server", "--id", "1", "--client-addr", "127.0.0.1:" + client, "--peer-addr",
        "127.0.0.1:" + peer, "--data-dir", dir.toString(), "--peers", "1=127.0.0.1:" + peer, "--insecure");
    assertThat(r.code()).isEqualTo(ExitCodes.CANNOT_START);
    assertThat(r.err()).contains("data directory " + dir).contains("is not a RaftKV data directory");
    assertThat(listing(dir)).isEqualTo(before);
  }

  /** Every file under {@code dir} with its content, and every folder. */
  private static Map<String, String> listing(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "<dir>" : Files.readString(p));
      }
    }
    return out;
  }

  @Test
  void memberIdsAndAddressesAreCheckedBeforeTheClusterIsAsked() {
    Result remove = run("members", "remove", "0", "--endpoints", "127.0.0.1:1");
    assertThat(remove.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(remove.err()).contains("ID is 0: node ids are positive numbers");
    Result transfer = run("transfer-leader", "-2", "--endpoints", "127.0.0.1:1");
    assertThat(transfer.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(transfer.err()).contains("ID is -2");
    Result port = run("members", "add", "4", "--peer-addr", "127.0.0.1:0", "--client-addr", "127.0.0.1:7004",
        "--endpoints", "127.0.0.1:1");
    assertThat(port.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(port.err()).contains("--peer-addr: '127.0.0.1:0' has port 0: expected 1-65535");
    Result same = run("members", "add", "4", "--peer-addr", "127.0.0.1:7004", "--client-addr", "127.0.0.1:7004",
        "--endpoints", "127.0.0.1:1");
    assertThat(same.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(same.err()).contains("are both 127.0.0.1:7004");
  }

  @Test
  void benchBoundsItsKeysAndValueSize() {
    Result keys = run("bench", "--keys", "2000000000", "--endpoints", "127.0.0.1:1");
    assertThat(keys.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(keys.err()).contains("--keys is 2000000000: expected 1 to 10000000");
    Result value = run("bench", "--value-size", "2000000", "--endpoints", "127.0.0.1:1");
    assertThat(value.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(value.err()).contains("--value-size is 2000000: expected 0 to 1048576");
  }

  @Test
  void restoreRefusesAClusterIdTheServerWouldRefuse() {
    Result r = run("restore", "--from", "/tmp/none.rkvb", "--data-dir", "/tmp/none-dir", "--id", "1", "--peers",
        "1=127.0.0.1:2", "--cluster-id", "bad/name");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--cluster-id is 'bad/name': expected 1-64 characters");
  }

  @Test
  void tortureRefusesADirThatIsAFile(@TempDir Path root) throws Exception {
    Path file = Files.writeString(root.resolve("f"), "x");
    Result r = run("torture", "--dir", file.toString(), "--duration", "1s");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--dir " + file + " is a file");
  }

  @Test
  void tortureHelpSaysTheClusterRunsTlsAndThatInsecureRunsItInPlaintext() {
    Result r = run("torture", "--help");
    assertThat(r.code()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("The cluster runs TLS").contains("'admin' client certificate")
        .contains("--insecure").contains("plaintext");
  }
}
