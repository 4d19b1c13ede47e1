package io.raftkv.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void portsPickedForOneClusterAreDistinctAndBelowTheEphemeralRange() {
    Set<Integer> taken = new HashSet<>();
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      picked.add(FreePorts.freePort(taken));
    }
    assertThat(picked).hasSize(20).allSatisfy(p -> assertThat(p).isBetween(FreePorts.LOWEST, FreePorts.END - 1));
    assertThat(taken).as("every pick is recorded as taken").containsAll(picked);
    assertThat(FreePorts.END).isLessThanOrEqualTo(32_768);
  }

  @Test
  void aPickedPortCanBeBound() throws Exception {
    int port = FreePorts.freePort(new HashSet<>());
    try (ServerSocket socket = new ServerSocket(port)) {
      assertThat(socket.getLocalPort()).isEqualTo(port);
    }
  }
}
