package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.server.node.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A server's --config file: every key checked, nothing truncated, repeated or guessed. */
class ServerPropertiesTest {
  @TempDir
  Path dir;

  private static final String GOOD = String.join("\n",
      "# a comment", "! another", "", "id=1", "cluster-id=raftkv", "client-addr=127.0.0.1:7001",
      "peer-addr: 127.0.0.1:7101", "peers=1=127.0.0.1:7101,2=127.0.0.1:7102,3=127.0.0.1:7103",
      "data-dir=data/node-1", "tick-ms=100", "election-ticks=10", "log-gc-entries=50000",
      "feed-retention-entries=1000000", "feed-retention-age=7d", "");

  private Path file(String text) throws IOException {
    Path p = dir.resolve("node.properties");
    Files.writeString(p, text);
    return p;
  }

  private static NodeConfig configure(String... args) {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs(args);
    return command.configuration();
  }

  private NodeConfig configureFile(String text, String... flags) throws IOException {
    String[] args = new String[flags.length + 2];
    args[0] = "--config";
    args[1] = file(text).toString();
    System.arraycopy(flags, 0, args, 2, flags.length);
    return configure(args);
  }

  @Test
  void theExampleFileIsReadWhole() throws IOException {
    NodeConfig c = configureFile(GOOD);
    assertThat(c.nodeId()).isEqualTo(1);
    assertThat(c.peerAddress()).isEqualTo("127.0.0.1:7101");
    assertThat(c.initialMembers()).containsOnlyKeys(1L, 2L, 3L);
    assertThat(c.tickInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.dataDir()).isEqualTo(Path.of("data/node-1"));
  }

  @Test
  void theDeployedExampleFilesAreAccepted() throws IOException {
    Path deployed = Path.of("../../deploy/config/node-1.properties");
    assertThat(deployed).exists();
    assertThat(configure("--config", deployed.toString()).nodeId()).isEqualTo(1);
  }

  @Test
  void flagsWinOverTheFile() throws IOException {
    assertThat(configureFile(GOOD, "--tick-ms", "50").tickInterval()).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void aValueOutOfRangeIsRefusedNotTruncated() throws IOException {
    assertThatThrownBy(() -> configureFile(GOOD.replace("election-ticks=10", "election-ticks=4294967306")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'election-ticks' (--config ").hasMessageContaining("line 11)")
        .hasMessageContaining("is 4294967306: expected a whole number from 3 to 1000");
    assertThatThrownBy(() -> configureFile(GOOD.replace("tick-ms=100", "tick-ms=1")))
        .hasMessageContaining("'tick-ms'").hasMessageContaining("is 1: expected a whole number from 10 to 10000");
    assertThatThrownBy(() -> configureFile(GOOD.replace("id=1", "id=1.5")))
        .hasMessageContaining("'id'").hasMessageContaining("is '1.5': expected a positive number");
  }

  @Test
  void joinTakesOnlyTrueOrFalse() throws IOException {
    String joining = GOOD.replace("peers=1=127.0.0.1:7101,2=127.0.0.1:7102,3=127.0.0.1:7103\n", "");
    assertThatThrownBy(() -> configureFile(joining + "join=yes\n"))
        .hasMessageContaining("'join' (--config ").hasMessageContaining("is 'yes': expected true or false");
    assertThat(configureFile(joining + "join=true\n").initialMembers()).isEmpty();
  }

  @Test
  void anEmptyValueIsRefusedRatherThanMeaningTheWorkingDirectory() throws IOException {
    assertThatThrownBy(() -> configureFile(GOOD.replace("data-dir=data/node-1", "data-dir=")))
        .hasMessageContaining("line 9: 'data-dir' has an empty value");
  }

  @Test
  void aRepeatedKeyIsRefusedNamingBothLines() throws IOException {
    assertThatThrownBy(() -> configureFile(GOOD + "tick-ms=50\n"))
        .hasMessageContaining("'tick-ms' is given twice, on line 10 and line 15");
  }

  @Test
  void anUnknownKeyIsRefusedNamingIt() throws IOException {
    assertThatThrownBy(() -> configureFile(GOOD + "tick_ms=50\n"))
        .hasMessageContaining("line 15: unknown property 'tick_ms'").hasMessageContaining("known: id, cluster-id");
  }

  @Test
  void aLineThatIsNotKeyValueIsRefused() throws IOException {
    assertThatThrownBy(() -> configureFile(GOOD + "just words\n"))
        .hasMessageContaining("line 15: 'just words' is not key=value");
    assertThatThrownBy(() -> configureFile(GOOD + "peers=1=127.0.0.1:7101,\\\n"))
        .hasMessageContaining("continued lines");
  }

  @Test
  void aMissingConfigFileIsABadCommandLine() {
    assertThatThrownBy(() -> configure("--config", dir.resolve("absent.properties").toString()))
        .hasMessageContaining("absent.properties: file not found or not readable");
  }

  @Test
  void aBadFileValueGivesExitCodeTwoThroughTheEntryPoint() throws IOException {
    Path p = file(GOOD.replace("join", "x") + "join=maybe\n");
    CommandLine cli = RaftKvCli.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err));
    assertThat(cli.execute("server", "--config", p.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("'join'").contains("'maybe': expected true or false");
  }
}
