package io.raftkv.cli;

import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** raftkv delete KEY. */
@Command(name = "delete", mixinStandardHelpOptions = true,
    description = "Delete a key (deleting an absent key is not an error).")
final class DeleteCommand implements Callable<Integer>, ClientCommand {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Override
  public Integer call() {
    return ClientCommand.once(this, client);
  }

  @Override
  public int answer(RaftKvClient c, AnswerSink sink) {
    WriteResponse r = c.delete(Bytes.of(key));
    boolean existed = r.getResults(0).getPrevious().getVersion() != 0;
    sink.line(existed ? "OK deleted at index " + r.getIndex() : "OK (key was absent)");
    return ExitCodes.OK;
  }
}
