package io.raftkv.server.cluster;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.raftkv.api.KvRpc;
import io.raftkv.testkit.InProcessCluster;
import io.raftkv.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standard gRPC health service on the client port follows the node's readiness: SERVING while it knows a
 * leader and a ReadIndex round completes, NOT_SERVING once it is cut off from the others, SERVING again after.
 */
class HealthClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path root;

  private InProcessCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = InProcessCluster.builder(root, 3).tls().partitionable().startWithLeader();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aNodeCutOffFromTheOthersTurnsNotServingAndServingAgainOnceHealed() throws Exception {
    for (long id = 1; id <= 3; id++) {
      awaitStatus(id, "", ServingStatus.SERVING);
    }
    awaitStatus(1, KvRpc.SERVICE_DESCRIPTOR.getName(), ServingStatus.SERVING);
    long leader = cluster.awaitLeader(WAIT);
    long cut = leader == 1 ? 2 : 1;

    cluster.partition(Set.of(cut));
    awaitStatus(cut, "", ServingStatus.NOT_SERVING);
    awaitStatus(cut, KvRpc.SERVICE_DESCRIPTOR.getName(), ServingStatus.NOT_SERVING);
    // The leader keeps the other follower, a majority: it stays ready.
    awaitStatus(leader, "", ServingStatus.SERVING);

    cluster.heal();
    awaitStatus(cut, "", ServingStatus.SERVING);
  }

  private void awaitStatus(long id, String service, ServingStatus expected) throws InterruptedException {
    Waits.until(WAIT, () -> status(id, service) == expected,
        () -> "node " + id + "'s health for '" + service + "' never became " + expected + " (it is "
            + status(id, service) + ")");
  }

  private ServingStatus status(long id, String service) {
    try {
      return cluster.call(id, HealthGrpc.getCheckMethod(), HealthCheckRequest.newBuilder().setService(service)
          .build()).getStatus();
    } catch (StatusRuntimeException e) {
      return ServingStatus.UNKNOWN;
    }
  }
}
