package io.raftkv.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** raftkv certs: the cluster's TLS certificates (one subcommand for now: init). */
@Command(name = "certs", mixinStandardHelpOptions = true,
    description = "Make the TLS certificates of a cluster.",
    subcommands = {CertsInitCommand.class})
final class CertsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("raftkv certs: name a subcommand (init)");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}
