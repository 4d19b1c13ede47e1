package io.raftkv.cli;

import io.raftkv.api.Error;
import io.raftkv.client.RaftKvException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The raftkv command: a server, client commands against a cluster, and a benchmark. */
@Command(name = "raftkv", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "RaftKV: a Raft-replicated key-value store.",
    subcommands = {ServerCommand.class, PutCommand.class, GetCommand.class, DeleteCommand.class,
        ScanCommand.class, CasCommand.class, StatusCommand.class, MembersCommand.class,
        TransferLeaderCommand.class, WatchCommand.class, BenchCommand.class, TortureCommand.class,
        OverloadBenchCommand.class,
        BackupCommand.class, RestoreCommand.class, BackupInfoCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:key not found (get) or compare-and-set not matched (cas)",
        "2:bad command line", "3:cluster unreachable or no answer in time",
        "4:request refused by the cluster (e.g. too large)"})
public final class RaftKvCli {
  private RaftKvCli() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String... args) {
    CommandLine cli = commandLine();
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(RaftKvCli.class);
    cli.setExitCodeExceptionMapper(RaftKvCli::exitCodeOf);
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof IllegalArgumentException) {
        commandLine.getErr().println("raftkv: " + ex.getMessage());
        commandLine.getErr().println("Run 'raftkv " + commandLine.getCommandName() + " --help' for usage.");
        return ExitCodes.USAGE;
      }
      if (ex instanceof RaftKvException rk) {
        commandLine.getErr().println("raftkv: " + rk.code() + ": " + rk.getMessage());
        return exitCodeOf(rk);
      }
      commandLine.getErr().println("raftkv: " + ex);
      return ExitCodes.UNAVAILABLE;
    });
    return cli;
  }

  private static int exitCodeOf(Throwable t) {
    if (t instanceof RaftKvException rk) {
      return rk.code() == Error.Code.INVALID_ARGUMENT ? ExitCodes.REFUSED : ExitCodes.UNAVAILABLE;
    }
    return t instanceof IllegalArgumentException || t instanceof CommandLine.ParameterException
        ? ExitCodes.USAGE : ExitCodes.UNAVAILABLE;
  }
}
