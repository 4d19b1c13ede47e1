package io.raftkv.cli;

import io.raftkv.api.KeyValue;
import io.raftkv.api.ReadConsistency;
import io.raftkv.client.RaftKvClient;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** raftkv get KEY. */
// Not mixinStandardHelpOptions: its -V/--version would clash with --version (print the key's version),
// which scripts already use; --help is declared here instead.
@Command(name = "get",
    description = "Print a key's value (exit code 1 if absent). Linearizable unless --serializable.")
final class GetCommand implements Callable<Integer>, ClientCommand {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Option(names = "--serializable", description = "Read from any node's applied state (may be stale).")
  boolean serializable;

  @Option(names = {"--version", "--show-version"}, description = "Also print the key's version.")
  boolean showVersion;

  @Override
  public Integer call() {
    return ClientCommand.once(this, client);
  }

  @Override
  public int answer(RaftKvClient c, AnswerSink sink) {
    Optional<KeyValue> kv = c.get(Bytes.of(key),
        serializable ? ReadConsistency.SERIALIZABLE : ReadConsistency.LINEARIZABLE);
    if (kv.isEmpty()) {
      sink.problem("key '" + key + "' not found");
      return ExitCodes.NOT_FOUND_OR_NOT_MATCHED;
    }
    String value = sink.data(Bytes.text(kv.get().getValue()));
    sink.line(showVersion ? value + "\tversion=" + kv.get().getVersion() : value);
    return ExitCodes.OK;
  }
}
