package io.raftkv.cli;

import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** What the tests that run RaftKV clusters share: free loopback ports, waiting for a leader. */
public final class ProcessClusterSupport {
  private ProcessClusterSupport() {}

  /**
   * A free port not in {@code taken}, which it joins: a port picked for a node that has not bound it yet
   * is still free, and two nodes given the same one would fail to start. Below the kernel's ephemeral
   * range (32768 and up): a port from there can be taken by an outgoing connection before the bind.
   */
  public static int freePort(Set<Integer> taken) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      if (!taken.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port between 20000 and 31999"));
  }

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
