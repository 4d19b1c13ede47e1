package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A one-shot command's lean command line answers exactly as the full raftkv command line does. */
class OneShotCommandLineTest {
  private static final List<String> ONE_SHOT = List.of("get", "put", "delete", "scan", "cas", "batch");

  private record Result(int code, String out, String err) {}

  private static Result run(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return new Result(cli.execute(args), out.toString(), err.toString());
  }

  private static CommandLine lean(String... args) {
    return OneShotCommandLine.forArgs(args).orElseThrow();
  }

  @Test
  void everyOneShotCommandPrintsTheSameHelpAsUnderTheFullCommandLine() {
    for (String name : ONE_SHOT) {
      Result full = run(RaftKvCli.commandLine(), name, "--help");
      Result lean = run(lean(name, "--help"), name, "--help");
      assertThat(lean).as(name).isEqualTo(full);
      assertThat(full.out()).contains("Usage: raftkv " + name);
    }
  }

  @Test
  void everyOneShotCommandRefusesABadCommandLineWithTheSameMessageAndCode() {
    for (String name : ONE_SHOT) {
      Result full = run(RaftKvCli.commandLine(), name, "--no-such-option");
      Result lean = run(lean(name, "--no-such-option"), name, "--no-such-option");
      assertThat(lean).as(name).isEqualTo(full);
      assertThat(full.code()).isEqualTo(ExitCodes.USAGE);
    }
  }

  @Test
  void otherCommandsAndNoCommandGetTheFullCommandLine() {
    assertThat(OneShotCommandLine.forArgs()).isEmpty();
    assertThat(OneShotCommandLine.forArgs("server", "--id", "1")).isEmpty();
    assertThat(OneShotCommandLine.forArgs("--help")).isEmpty();
    assertThat(OneShotCommandLine.forArgs("help", "get")).isEmpty();
  }

  @Test
  void eachLeanCommandIsTheCommandTheFullCommandLineRegistersUnderThatName() {
    CommandLine full = RaftKvCli.commandLine();
    for (String name : ONE_SHOT) {
      Object leanCommand = lean(name).getSubcommands().get(name).getCommand();
      assertThat(leanCommand).as(name).isInstanceOf(full.getSubcommands().get(name).getCommand().getClass());
    }
  }
}
