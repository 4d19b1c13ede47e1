package io.raftkv.cli;

import io.raftkv.client.RaftKvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** raftkv transfer-leader ID. */
@Command(name = "transfer-leader", mixinStandardHelpOptions = true,
    description = "Hand leadership to the given voter; returns once it leads.")
final class TransferLeaderCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "ID")
  long id;

  @Override
  public Integer call() {
    if (id <= 0) {
      throw new IllegalArgumentException("ID is " + id + ": node ids are positive numbers");
    }
    try (RaftKvClient c = client.connect()) {
      System.out.println("OK leader=" + c.transferLeader(id));
      return ExitCodes.OK;
    }
  }
}
