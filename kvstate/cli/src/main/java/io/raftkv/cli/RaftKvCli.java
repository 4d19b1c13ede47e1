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
        BackupCommand.class, RestoreCommand.class, BackupInfoCommand.class, CertsCommand.class, BatchCommand.class,
        AuthCommand.class, UserCommand.class, RoleCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:key not found (get) or compare-and-set not matched (cas)",
        "2:bad command line", "3:cluster unreachable or no answer in time",
        "4:request refused by the cluster (e.g. too large, permission denied, wrong password)",
        "5:server: storage failure (disk full, I/O error)",
        "6:server cannot start on what it was given (a port in use, its data directory);"
            + " certs init cannot write its directory",
        "7:server: the node stopped on an internal error"})
public final class RaftKvCli {
  private RaftKvCli() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String... args) {
    CommandLine cli = configure(OneShotCommandLine.forArgs(args).orElseGet(() -> new CommandLine(RaftKvCli.class)));
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    return configure(new CommandLine(RaftKvCli.class));
  }

  private static CommandLine configure(CommandLine cli) {
    cli.setExitCodeExceptionMapper(RaftKvCli::exitCodeOf);
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof IllegalArgumentException) {
        commandLine.getErr().println("raftkv: " + ex.getMessage());
        commandLine.getErr().println("Run '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
        return ExitCodes.USAGE;
      }
      if (ex instanceof CannotStartException) {
        commandLine.getErr().println("raftkv: cannot start: " + ex.getMessage());
        return ExitCodes.CANNOT_START;
      }
      if (ex instanceof RaftKvException rk) {
        if (String.valueOf(rk.getMessage()).contains("UNIMPLEMENTED")) {
          commandLine.getErr().println("raftkv: an endpoint answered " + rk.getMessage() + ": is it a peer port?"
              + " --endpoints must list the nodes' client ports (their --client-addr), not their peer ports;"
              + " endpoints given: " + endpointsGiven(commandLine));
          return ExitCodes.USAGE;
        }
        commandLine.getErr().println("raftkv: " + rk.code() + ": " + rk.getMessage());
        return exitCodeOf(rk);
      }
      commandLine.getErr().println("raftkv: " + ex);
      return ExitCodes.UNAVAILABLE;
    });
    return cli;
  }

  private static String endpointsGiven(CommandLine commandLine) {
    String given = commandLine.getParseResult() == null ? null
        : commandLine.getParseResult().matchedOptionValue("--endpoints", null);
    if (given == null) {
      given = System.getenv("RAFTKV_ENDPOINTS");
    }
    return given == null ? ClientOptions.DEFAULT_ENDPOINT : given;
  }

  static int exitCodeOf(Throwable t) {
    if (t instanceof RaftKvException rk) {
      // Refusals that a retry cannot change are the caller's to fix; the rest may pass with time.
      return switch (rk.code()) {
        case INVALID_ARGUMENT, OUT_OF_RANGE, APPLY_REFUSED, SESSION_EXPIRED, PERMISSION_DENIED, UNAUTHENTICATED,
            INVALID_TOKEN -> ExitCodes.REFUSED;
        default -> ExitCodes.UNAVAILABLE;
      };
    }
    return t instanceof IllegalArgumentException || t instanceof CommandLine.ParameterException
        ? ExitCodes.USAGE : ExitCodes.UNAVAILABLE;
  }
}
