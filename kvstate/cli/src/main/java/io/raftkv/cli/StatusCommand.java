package io.raftkv.cli;

import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** raftkv status: every endpoint's role, term, commit and applied index, and leader. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show each node's role, term, commit and applied index, and leader (exit 3 if none answers).")
final class StatusCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    int answered = 0;
    try (RaftKvClient c = client.connect()) {
      System.out.printf("%-22s %-5s %-13s %-6s %-10s %-10s %s%n", "ENDPOINT", "ID", "ROLE", "TERM", "COMMIT",
          "APPLIED", "LEADER");
      for (String endpoint : c.endpoints()) {
        try {
          StatusResponse s = c.status(endpoint);
          System.out.printf("%-22s %-5d %-13s %-6d %-10d %-10d %s%n", endpoint, s.getNodeId(), s.getRole(),
              s.getTerm(), s.getCommitIndex(), s.getAppliedIndex(),
              s.getLeaderId() == 0 ? "none" : s.getLeaderId() + (s.getLeaderClientAddress().isEmpty() ? ""
                  : " (" + s.getLeaderClientAddress() + ")"));
          answered++;
        } catch (RaftKvException e) {
          System.out.printf("%-22s unreachable: %s%n", endpoint, e.getMessage());
        }
      }
    }
    return answered > 0 ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
  }
}
