package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.NetworkFaults;
import io.raftkv.api.SetNetworkFaultsRequest;
import io.raftkv.api.SetNetworkFaultsResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SetNetworkFaults on 3-node clusters in-process over real gRPC: a node cuts the peers it is told to block
 * both ways, drops and delays its outgoing batches, and refuses the call unless fault injection is on.
 */
class NetworkFaultsClusterTest {
  private static final Duration ELECTION = Duration.ofSeconds(10);

  @TempDir
  Path root;

  private static SetNetworkFaultsRequest faults(NetworkFaults.Builder faults) {
    return SetNetworkFaultsRequest.newBuilder().setFaults(faults).build();
  }

  private static SetNetworkFaultsRequest block(long peer) {
    return faults(NetworkFaults.newBuilder().addBlockedPeers(peer));
  }

  private static final SetNetworkFaultsRequest HEAL = SetNetworkFaultsRequest.getDefaultInstance();

  private static List<String> endpoints(InProcessCluster cluster) {
    return cluster.members().values().stream().map(m -> m.getClientAddress()).toList();
  }

  private static long otherThan(long... ids) {
    for (long id = 1; id <= 3; id++) {
      boolean taken = false;
      for (long x : ids) {
        taken |= x == id;
      }
      if (!taken) {
        return id;
      }
    }
    throw new AssertionError("no node left");
  }

  /** Writes {@code count} keys through a retrying client; returns the highest index written. */
  private static long write(InProcessCluster cluster, String prefix, int count) {
    long last = 0;
    try (RaftKvClient client = RaftKvClient.connect(endpoints(cluster), Duration.ofSeconds(20))) {
      for (int i = 0; i < count; i++) {
        last = Math.max(last, client.put(ByteString.copyFromUtf8(prefix + i), ByteString.copyFromUtf8("v" + i))
            .getIndex());
      }
    }
    return last;
  }


  /** Asserts node {@code id} stays below {@code index} for a while (ten election timeouts). */
  private static void assertStaysBehind(InProcessCluster cluster, long id, long index) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < until) {
      assertThat(cluster.server(id).node().appliedIndex()).as("applied index of cut-off node %s", id)
          .isLessThan(index);
      Thread.sleep(50);
    }
  }

  @Test
  void setNetworkFaultsIsRefusedWithoutFaultInjection() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 1).partitionable().start()) {
      assertThatThrownBy(() -> cluster.call(1, AdminRpc.SET_NETWORK_FAULTS, block(2)))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            Error error = ErrorTrailers.fromThrowable(e);
            assertThat(error.getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(error.getMessage()).contains("node 1 does not inject network faults")
                .contains("--fault-injection");
          });
    }
  }

  @Test
  void badFaultsAreRefusedNamingTheBadValue() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 1).partitionable().faultInjection().start()) {
      assertThatThrownBy(() -> cluster.call(1, AdminRpc.SET_NETWORK_FAULTS,
          faults(NetworkFaults.newBuilder().setDropRate(2))))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            Error error = ErrorTrailers.fromThrowable(e);
            assertThat(error.getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
            assertThat(error.getMessage()).isEqualTo("drop_rate is 2.0: it must be between 0 and 1");
          });
    }
  }

  @Test
  void aNodeBlockingTheLeaderIgnoresWhatTheLeaderSendsAndCatchesUpWhenHealed() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().faultInjection().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      long follower = otherThan(leader);
      // Only the follower is told: the leader keeps sending, so this checks the receiving side.
      SetNetworkFaultsResponse set = cluster.call(follower, AdminRpc.SET_NETWORK_FAULTS, block(leader));
      assertThat(set.getFaults().getBlockedPeersList()).containsExactly(leader);
      long last = write(cluster, "k", 10);
      assertStaysBehind(cluster, follower, last);
      cluster.call(follower, AdminRpc.SET_NETWORK_FAULTS, HEAL);
      cluster.awaitApplied(follower, last);
    }
  }

  @Test
  void aLeaderBlockingAFollowerSendsItNothingAndResumesWhenHealed() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().faultInjection().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      long follower = otherThan(leader);
      // Only the leader is told: the follower would accept, so this checks the sending side.
      cluster.call(leader, AdminRpc.SET_NETWORK_FAULTS, block(follower));
      long last = write(cluster, "k", 10);
      assertStaysBehind(cluster, follower, last);
      cluster.call(leader, AdminRpc.SET_NETWORK_FAULTS, HEAL);
      cluster.awaitApplied(follower, last);
    }
  }

  @Test
  void aLeaderDroppingEveryBatchLosesItsFollowersToANewLeader() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().faultInjection().start()) {
      long leader = cluster.awaitLeader(ELECTION);
      cluster.call(leader, AdminRpc.SET_NETWORK_FAULTS, faults(NetworkFaults.newBuilder().setDropRate(1)));
      long deadline = System.nanoTime() + ELECTION.toNanos();
      long other = otherThan(leader);
      while (cluster.server(other).node().status().leaderId() == leader) {
        assertThat(System.nanoTime()).as("followers still follow node %s", leader).isLessThan(deadline);
        Thread.sleep(20);
      }
      cluster.call(leader, AdminRpc.SET_NETWORK_FAULTS, HEAL);
      long last = write(cluster, "k", 5);
      for (long id = 1; id <= 3; id++) {
        cluster.awaitApplied(id, last);
      }
    }
  }

  @Test
  void delayedAndDroppedBatchesStillReplicateEveryWriteButSlower() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().faultInjection().start()) {
      cluster.awaitLeader(ELECTION);
      long before = System.nanoTime();
      write(cluster, "warm", 10);
      long undisturbed = System.nanoTime() - before;
      for (long id = 1; id <= 3; id++) {
        cluster.call(id, AdminRpc.SET_NETWORK_FAULTS,
            faults(NetworkFaults.newBuilder().setDropRate(0.05).setMaxDelayMs(80).setSeed(id)));
      }
      before = System.nanoTime();
      long last = write(cluster, "k", 10);
      long disturbed = System.nanoTime() - before;
      for (long id = 1; id <= 3; id++) {
        cluster.call(id, AdminRpc.SET_NETWORK_FAULTS, HEAL);
      }
      for (long id = 1; id <= 3; id++) {
        cluster.awaitApplied(id, last);
      }
      // A write waits for at least one follower's delayed append (and its delayed answer): ten writes
      // take well over the ~0 ms of delay they had before.
      assertThat(Duration.ofNanos(disturbed)).as("10 writes with delays (without: %s ms)", undisturbed / 1_000_000)
          .isGreaterThan(Duration.ofMillis(150));
    }
  }
}
