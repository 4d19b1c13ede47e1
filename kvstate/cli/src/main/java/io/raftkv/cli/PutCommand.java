package io.raftkv.cli;

import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** raftkv put KEY VALUE. */
@Command(name = "put", mixinStandardHelpOptions = true, description = "Set a key's value; prints the new version.")
final class PutCommand implements Callable<Integer>, ClientCommand {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "VALUE")
  String value;

  @Override
  public Integer call() {
    return ClientCommand.once(this, client);
  }

  @Override
  public int answer(RaftKvClient c, AnswerSink sink) {
    WriteResponse r = c.put(Bytes.of(key), Bytes.of(value));
    sink.line("OK version=" + r.getIndex());
    return ExitCodes.OK;
  }
}
