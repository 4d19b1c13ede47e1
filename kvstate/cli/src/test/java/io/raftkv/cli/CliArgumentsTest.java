package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Bad command lines get exit code 2 and a message naming the bad value and what is allowed. */
class CliArgumentsTest {
  private record Result(int code, String err) {}

  private static Result run(String... args) {
    CommandLine cli = RaftKvCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));
    int code = cli.execute(args);
    return new Result(code, err.toString());
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
    Result r = run("get", "k", "--endpoints", "127.0.0.1:1", "--timeout", "300ms");
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
}
