package io.raftkv.cli;

import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.util.concurrent.TimeUnit;

/** What the tests that run `raftkv server` processes share: waiting for a leader. */
final class ProcessClusterSupport {
  private ProcessClusterSupport() {}

  /** Waits up to 60 s until some node of the client's endpoints knows a leader. */
  static void awaitLeader(RaftKvClient client) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String endpoint : client.endpoints()) {
        try {
          StatusResponse s = client.status(endpoint);
          if (s.getLeaderId() != 0) {
            return;
          }
        } catch (RaftKvException e) {
          // not up yet
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no leader within 60 s");
  }
}
