package io.raftkv.cli;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The command line of a one-shot client command alone under "raftkv": picocli builds the model of every
 * command it is given, by reflection (the server's pulls in its classes), which took about a third of a
 * `raftkv get`; a command line naming one of these gets just its own.
 */
final class OneShotCommandLine {
  /** The commands a script runs often, by name; each is registered under "raftkv" exactly as in RaftKvCli. */
  private static final Map<String, Supplier<Object>> COMMANDS = Map.of("get", GetCommand::new,
      "put", PutCommand::new, "delete", DeleteCommand::new, "scan", ScanCommand::new, "cas", CasCommand::new,
      "batch", BatchCommand::new);

  private OneShotCommandLine() {}

  /** "raftkv" with only the command {@code args} start with, if it is one of these; else empty. */
  static Optional<CommandLine> forArgs(String... args) {
    Supplier<Object> command = args.length == 0 ? null : COMMANDS.get(args[0]);
    if (command == null) {
      return Optional.empty();
    }
    CommandLine raftkv = new CommandLine(CommandSpec.create().name("raftkv"));
    raftkv.addSubcommand(args[0], command.get());
    return Optional.of(raftkv);
  }
}
