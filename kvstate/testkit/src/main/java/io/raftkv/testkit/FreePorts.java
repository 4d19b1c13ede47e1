package io.raftkv.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Picks free loopback ports for the nodes of a cluster started on this machine. */
public final class FreePorts {
  /** The lowest port handed out. */
  public static final int LOWEST = 20_000;
  /** One past the highest port handed out: the kernel's ephemeral range starts at 32768. */
  public static final int END = 32_000;

  private FreePorts() {}

  /**
   * A free port in 20000-31999 not in {@code taken}, which it joins. Below the kernel's ephemeral range
   * (32768 and up), so no outgoing connection takes it before the node binds it; and never one already
   * picked for another node that has not bound it yet.
   */
  public static int freePort(Set<Integer> taken) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = LOWEST + ThreadLocalRandom.current().nextInt(END - LOWEST);
      if (taken.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        taken.add(port);
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port between " + LOWEST + " and " + (END - 1)));
  }
}
