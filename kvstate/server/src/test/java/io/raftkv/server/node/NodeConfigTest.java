package io.raftkv.server.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.Member;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node's configuration is checked whole when built, whoever builds it (CLI, tests, an embedding). */
class NodeConfigTest {
  private static NodeConfig.Builder good() {
    return NodeConfig.builder().nodeId(1).dataDir(Path.of("/tmp/none")).peerAddress("127.0.0.1:7101")
        .clientAddress("127.0.0.1:7001");
  }

  private static Member member(long id, String peer) {
    return Member.newBuilder().setId(id).setPeerAddress(peer).build();
  }

  @Test
  void aTickOutsideTenMillisecondsToTenSecondsIsRefused() {
    assertThat(good().tickInterval(Duration.ofMillis(10)).build().tickInterval()).isEqualTo(Duration.ofMillis(10));
    assertThatThrownBy(() -> good().tickInterval(Duration.ofMillis(1)).build())
        .hasMessageContaining("tick interval is 1 ms: expected 10 to 10000 ms");
    assertThatThrownBy(() -> good().tickInterval(Duration.ofMinutes(1)).build())
        .hasMessageContaining("tick interval is 60000 ms");
  }

  @Test
  void electionTicksAreBounded() {
    assertThatThrownBy(() -> good().electionTicks(1_001).build())
        .hasMessageContaining("election ticks (1001)").hasMessageContaining("at most 1000");
  }

  @Test
  void ownAddressesMustBeHostAndPort() {
    assertThatThrownBy(() -> good().peerAddress("127.0.0.1:0").build())
        .hasMessageContaining("peer address '127.0.0.1:0' has port 0: expected 1-65535");
    assertThatThrownBy(() -> good().clientAddress("nowhere").build())
        .hasMessageContaining("client address 'nowhere' is not host:port");
  }

  @Test
  void foundingMembersNeedParsableDistinctAddresses() {
    Map<Long, Member> shared = new LinkedHashMap<>();
    shared.put(1L, member(1, "127.0.0.1:7101"));
    shared.put(2L, member(2, "127.0.0.1:7101"));
    assertThatThrownBy(() -> good().initialMembers(shared).build())
        .hasMessageContaining("founding member 2 has the peer address 127.0.0.1:7101 of another founding member");
    Map<Long, Member> bad = new LinkedHashMap<>();
    bad.put(1L, member(1, "127.0.0.1:7101"));
    bad.put(2L, member(2, "host:port"));
    assertThatThrownBy(() -> good().initialMembers(bad).build())
        .hasMessageContaining("founding member 2: peer address 'host:port' has port 'port'");
  }

  @Test
  void flowControlSettingsMustBePositive() {
    assertThatThrownBy(() -> good().maxInflightMsgs(0).build()).hasMessageContaining("in-flight messages 0");
    assertThatThrownBy(() -> good().maxSizePerMsg(0).build()).hasMessageContaining("bytes per message 0");
  }
}
