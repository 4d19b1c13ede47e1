package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.client.RaftKvClient;
import io.raftkv.testkit.InProcessCluster;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * raftkv batch against a 3-node cluster in this JVM: one answer line per command, in order, as the one-shot
 * commands print them; a bad line answers an error and the batch goes on; the exit code is the worst line's.
 */
class BatchCommandClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;

  private static InProcessCluster cluster;
  private static RaftKvClient client;

  @BeforeAll
  static void startCluster() throws InterruptedException {
    cluster = InProcessCluster.builder(dir, 3).clusterId("batch").start();
    cluster.awaitLeader(WAIT);
    client = RaftKvClient.connect(cluster.clientAddresses(), WAIT);
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private record Batch(List<String> lines, int exitCode) {}

  private static Batch run(String input) throws IOException {
    return run(input, BatchCommand.MAX_LINE_CHARS);
  }

  private static Batch run(String input, int maxLineChars) throws IOException {
    StringWriter out = new StringWriter();
    int code = BatchCommand.run(client, new StringReader(input), out, maxLineChars);
    String text = out.toString();
    assertThat(text).endsWith("\n");
    return new Batch(List.of(text.substring(0, text.length() - 1).split("\n", -1)), code);
  }

  private static long versionIn(String okLine) {
    return Long.parseLong(okLine.substring(okLine.indexOf('=') + 1));
  }

  @Test
  void aMixedBatchAnswersEachCommandInOrderAsTheOneShotCommandsPrint() throws IOException {
    Batch b = run("""
        put mixed/a 1
        put mixed/b two
        get mixed/a
        get mixed/b --version
        cas mixed/a --expect-value 1 uno
        cas mixed/a --expect-value 1 again
        scan --prefix mixed/
        scan --prefix mixed/ --keys-only --limit 1
        delete mixed/b
        delete mixed/b
        get mixed/b
        get mixed/a --serializable
        """);
    List<String> l = b.lines();
    assertThat(l).hasSize(12);
    assertThat(l.get(0)).matches("OK version=\\d+");
    long bVersion = versionIn(l.get(1));
    assertThat(l.get(2)).isEqualTo("1");
    assertThat(l.get(3)).isEqualTo("two\tversion=" + bVersion);
    assertThat(l.get(4)).matches("OK version=\\d+");
    assertThat(l.get(5)).isEqualTo("ERR not matched: key 'mixed/a' is 'uno' at version " + versionIn(l.get(4)));
    assertThat(l.get(6)).isEqualTo("mixed/a\tuno\tmixed/b\ttwo");
    assertThat(l.get(7)).isEqualTo("mixed/a");
    assertThat(l.get(8)).matches("OK deleted at index \\d+");
    assertThat(l.get(9)).isEqualTo("OK (key was absent)");
    assertThat(l.get(10)).isEqualTo("ERR key 'mixed/b' not found");
    assertThat(l.get(11)).isIn("uno", "1"); // a serializable read may lag
    assertThat(b.exitCode()).isEqualTo(ExitCodes.NOT_FOUND_OR_NOT_MATCHED);
  }

  @Test
  void aBatchOfSuccessesExitsZeroAndBlankAndCommentLinesGetNoAnswer() throws IOException {
    Batch b = run("# set up\n\nput ok/k v\n   \n  # again\nget ok/k\n");
    assertThat(b.lines()).hasSize(2);
    assertThat(b.lines().get(1)).isEqualTo("v");
    assertThat(b.exitCode()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void badLinesAnswerAnErrorNamingTheLineAndTheBatchGoesOn() throws IOException {
    Batch b = run("""
        gte bad/k
        put bad/k
        put "bad/k v
        get --endpoints 127.0.0.1:1 bad/k
        scan --limit -2
        cas bad/k --expect-absent
        get bad/k --help
        put bad/k fine
        get bad/k
        """);
    List<String> l = b.lines();
    assertThat(l).hasSize(9);
    assertThat(l.get(0)).isEqualTo("ERR line 1: unknown command 'gte': batch runs get, put, delete, scan and cas");
    assertThat(l.get(1)).startsWith("ERR line 2: put: ").contains("VALUE");
    assertThat(l.get(2)).isEqualTo("ERR line 3: the \" at column 5 is not closed");
    assertThat(l.get(3)).isEqualTo("ERR line 4: --endpoints and --timeout are given once, to 'raftkv batch', not on a line");
    assertThat(l.get(4)).isEqualTo("ERR line 5: scan: --limit is -2: it must be 0 (all) or more");
    assertThat(l.get(5)).isEqualTo("ERR line 6: cas: give either NEW_VALUE or --delete (exactly one)");
    assertThat(l.get(6)).startsWith("ERR line 7: --help");
    assertThat(l.get(7)).matches("OK version=\\d+");
    assertThat(l.get(8)).isEqualTo("fine");
    assertThat(b.exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void quotedKeysAndValuesRoundTripAndAnswersQuoteWhatCouldBeMisread() throws IOException {
    Batch b = run("""
        put 'quoted/a key' "a value with spaces"
        get "quoted/a key"
        put quoted/lines "one\\ntwo"
        get quoted/lines
        put quoted/empty ''
        get quoted/empty
        put quoted/err 'ERR not really'
        get quoted/err
        scan --prefix quoted/
        """);
    List<String> l = b.lines();
    assertThat(l.get(1)).isEqualTo("a value with spaces");
    assertThat(l.get(3)).isEqualTo("\"one\\ntwo\"");
    assertThat(l.get(5)).isEqualTo("\"\"");
    assertThat(l.get(7)).isEqualTo("\"ERR not really\"");
    assertThat(l.get(8)).isEqualTo("quoted/a key\ta value with spaces\tquoted/empty\t\"\"\tquoted/err\t\"ERR not really\""
        + "\tquoted/lines\t\"one\\ntwo\"");
    assertThat(b.exitCode()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void anOverLongLineIsRefusedWithItsLengthAndTheNextLineRuns() throws IOException {
    String longValue = "x".repeat(BatchCommand.MAX_LINE_CHARS);
    Batch b = run("put long/k " + longValue + "\nput long/k short\nget long/k\n");
    assertThat(b.lines()).containsExactly(
        "ERR line 1: it is " + (BatchCommand.MAX_LINE_CHARS + 11) + " characters long; at most "
            + BatchCommand.MAX_LINE_CHARS + " are allowed",
        b.lines().get(1), "short");
    assertThat(b.lines().get(1)).matches("OK version=\\d+");
    assertThat(b.exitCode()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void aClusterRefusalAnswersItsCodeAndExitsWithItsExitCode() throws IOException {
    String tooLong = "v".repeat(1024 * 1024 + 1);
    Batch b = run("put refused/k " + tooLong + "\nget refused/k\n");
    assertThat(b.lines().get(0)).startsWith("ERR INVALID_ARGUMENT: ");
    assertThat(b.lines().get(1)).isEqualTo("ERR key 'refused/k' not found");
    assertThat(b.exitCode()).isEqualTo(ExitCodes.REFUSED);
  }

  @Test
  void optionsOfOneLineDoNotCarryOverToTheNextLineOfTheSameCommand() throws IOException {
    Batch b = run("""
        put carry/k v
        get carry/k --version
        get carry/k
        scan --prefix carry/ --keys-only
        scan --prefix carry/
        cas carry/k --expect-value v w
        cas carry/k --expect-absent x
        cas carry/k --delete --expect-value w
        cas carry/k y
        """);
    List<String> l = b.lines();
    assertThat(l.get(1)).startsWith("v\tversion=");
    assertThat(l.get(2)).isEqualTo("v");
    assertThat(l.get(3)).isEqualTo("carry/k");
    assertThat(l.get(4)).isEqualTo("carry/k\tv");
    assertThat(l.get(5)).matches("OK version=\\d+");
    assertThat(l.get(6)).startsWith("ERR not matched: key 'carry/k' is 'w'");
    assertThat(l.get(7)).matches("OK version=\\d+");
    assertThat(l.get(8)).startsWith("ERR line 9: cas: ").contains("--expect-value");
  }
}
