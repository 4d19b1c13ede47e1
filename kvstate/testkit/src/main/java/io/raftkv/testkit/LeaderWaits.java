package io.raftkv.testkit;

import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.util.concurrent.TimeUnit;

/** Waits on clusters reached only through a client (e.g. `raftkv server` processes): a leader known. */
public final class LeaderWaits {
  private LeaderWaits() {}

  /** Waits up to 60 s until some node of the client's endpoints knows a leader. */
  public static void awaitKnownLeader(RaftKvClient client) throws InterruptedException {
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
