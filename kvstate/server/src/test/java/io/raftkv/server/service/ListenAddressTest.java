package io.raftkv.server.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftkv.api.Member;
import io.raftkv.server.node.NodeConfig;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node listens on exactly the host it is told, never on every interface. */
class ListenAddressTest {
  @TempDir
  Path dir;
  private RaftKvServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private RaftKvServer startOnLoopback() {
    Member self = Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:1").setClientAddress("127.0.0.1:2").build();
    NodeConfig config = NodeConfig.builder().nodeId(1).clusterId("listen").dataDir(dir.resolve("node-1"))
        .initialMembers(Map.of(1L, self)).tickInterval(Duration.ofMillis(10)).electionTicks(10).heartbeatTicks(1)
        .build();
    return RaftKvServer.start(config, "127.0.0.1", 0, 0);
  }

  @Test
  void aNodeToldLoopbackListensOnLoopbackOnly() {
    server = startOnLoopback();

    assertThat(server.listenAddresses()).hasSize(2).allSatisfy(address -> {
      InetSocketAddress socket = (InetSocketAddress) address;
      assertThat(socket.getAddress().isAnyLocalAddress()).as("%s listens on every interface", socket).isFalse();
      assertThat(socket.getAddress().isLoopbackAddress()).as("%s is a loopback address", socket).isTrue();
    });
  }

  @Test
  void aNodeToldLoopbackIsNotReachableOnAnotherInterface() throws IOException {
    Optional<InetAddress> other = otherInterfaceAddress();
    assumeTrue(other.isPresent(), "this machine has no non-loopback IPv4 address to try");
    server = startOnLoopback();

    for (int port : new int[] {server.peerPort(), server.clientPort()}) {
      SocketAddress elsewhere = new InetSocketAddress(other.get(), port);
      assertThatThrownBy(() -> {
        try (Socket socket = new Socket()) {
          socket.connect(elsewhere, 10_000);
        }
      }).as("connecting to %s", elsewhere).isInstanceOf(IOException.class);
    }
  }

  private static Optional<InetAddress> otherInterfaceAddress() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }
}
