package io.raftkv.server.peer;

import io.raftkv.api.Member;
import io.raftkv.raft.StateType;
import io.raftkv.server.node.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Configurations of a peer that is its group's only member, and a bounded wait for a condition. */
final class SinglePeers {
  private SinglePeers() {}

  static Member member(long id) {
    return Member.newBuilder().setId(id).setPeerAddress("127.0.0.1:" + (7000 + id))
        .setClientAddress("127.0.0.1:" + (8000 + id)).build();
  }

  static NodeConfig.Builder config(Path dataDir, Map<Long, Member> founding) {
    return NodeConfig.builder().nodeId(1).clusterId("c").dataDir(dataDir).initialMembers(founding)
        .tickInterval(Duration.ofMillis(10)).electionTicks(10).heartbeatTicks(1)
        .requestTimeout(Duration.ofSeconds(30));
  }

  static NodeConfig alone(Path dataDir) {
    return config(dataDir, Map.of(1L, member(1))).build();
  }

  /** Waits (generously) until {@code peer} leads its group. */
  static void awaitLeader(Peer peer) throws InterruptedException {
    await(() -> peer.status().role() == StateType.LEADER, "peer never became leader");
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what);
      }
      Thread.sleep(10);
    }
  }
}
