package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.node.NodeDefaults;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The server flags left out give the node the same settings as a NodeConfig built in code. */
class ServerDefaultsTest {
  @TempDir Path dir;

  private NodeConfig fromFlags(String... extra) {
    ServerCommand command = new ServerCommand();
    String[] base = {"--id", "1", "--client-addr", "127.0.0.1:7001", "--peer-addr", "127.0.0.1:7002",
        "--data-dir", dir.resolve("node").toString(), "--peers", "1=127.0.0.1:7002"};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    new CommandLine(command).parseArgs(args);
    return command.configuration();
  }

  @Test
  void serverWithoutTuningFlagsRunsWithTheNodeConfigDefaults() {
    NodeConfig flags = fromFlags();
    NodeConfig code = NodeConfig.builder().nodeId(1).dataDir(dir).build();

    assertThat(flags.clusterId()).isEqualTo(code.clusterId()).isEqualTo(NodeDefaults.CLUSTER_ID);
    assertThat(flags.tickInterval()).isEqualTo(code.tickInterval()).isEqualTo(Duration.ofMillis(NodeDefaults.TICK_MS));
    assertThat(flags.electionTicks()).isEqualTo(code.electionTicks()).isEqualTo(NodeDefaults.ELECTION_TICKS);
    assertThat(flags.heartbeatTicks()).isEqualTo(code.heartbeatTicks());
    assertThat(flags.logGcEntries()).isEqualTo(code.logGcEntries()).isEqualTo(NodeDefaults.LOG_GC_ENTRIES);
    assertThat(flags.feedRetention()).isEqualTo(code.feedRetention());
    assertThat(flags.feedRetention().entries()).isEqualTo(NodeDefaults.FEED_RETENTION_ENTRIES);
    assertThat(flags.requestTimeout()).isEqualTo(code.requestTimeout());
  }

  @Test
  void serverHelpQuotesTheDefaultsTheNodeRunsWith() {
    String help = new CommandLine(new ServerCommand()).getUsageMessage();

    assertThat(help).contains("(default " + NodeDefaults.TICK_MS + ")", "(default " + NodeDefaults.ELECTION_TICKS + ")",
        "(default " + NodeDefaults.LOG_GC_ENTRIES + ")", "(default " + NodeDefaults.FEED_RETENTION_ENTRIES + ";",
        "(default " + NodeDefaults.FEED_RETENTION_AGE + ";", "(default " + NodeDefaults.CLUSTER_ID + ")");
  }
}
