package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.raftkv.api.CasOp;
import io.raftkv.api.Error;
import io.raftkv.api.Op;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.server.statemachine.SessionPolicy;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 13 on a real 3-node cluster: no committed write can stop a replica, and sessions stay bounded. */
class ApplyBoundsClusterTest {
  @TempDir
  Path root;

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** Waits until every node has applied {@code index} and serves {@code key} with {@code value}. */
  private static void assertEveryNodeServes(InProcessCluster cluster, long index, ByteString key, ByteString value)
      throws InterruptedException {
    for (long id = 1; id <= 3; id++) {
      cluster.awaitApplied(id, index);
      assertThat(cluster.server(id).node().get(key).getValue()).as("node %d", id).isEqualTo(value);
    }
  }

  @Test
  void poisonCasWriteIsAnsweredAndEveryNodeKeepsServingAcrossRestart() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      ByteString big = ByteString.copyFrom(new byte[1 << 20]);
      List<Op> poison = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        poison.add(Op.newBuilder().setCas(CasOp.newBuilder().setKey(b("hot")).setExpectedValue(b("not it"))
            .setNewValue(b("x"))).build());
      }
      try (RaftKvClient client = cluster.connectClient()) {
        client.put(b("hot"), big);
        // Its answer once carried the 1 MiB value 10,000 times (10 GB): every replica's apply loop died.
        WriteResponse answer = client.write(poison);
        assertThat(answer.getApplied()).isFalse();
        assertThat(answer.getPreviousTruncated()).isTrue();
        assertThat(answer.getResults(0).getPrevious().getValue()).isEqualTo(big);
        assertThat(answer.getResults(3).getPrevious().getValue()).isEqualTo(big); // 4 MiB: four of them
        assertThat(answer.getResults(4).getPreviousOmitted()).isTrue();
        assertThat(answer.getResults(9_999).getPreviousOmitted()).isTrue();
        assertThat(answer.getResults(9_999).getPrevious().getVersion()).isPositive();

        WriteResponse after = client.put(b("after"), b("1"));
        assertEveryNodeServes(cluster, after.getIndex(), b("after"), b("1"));
      }
      for (long id = 1; id <= 3; id++) {
        cluster.stop(id);
      }
      for (long id = 1; id <= 3; id++) {
        cluster.start(id, false); // replays the poison entry, if it is not yet in the applied state
      }
      try (RaftKvClient client = cluster.connectClient()) {
        WriteResponse restarted = client.put(b("restarted"), b("2"));
        assertEveryNodeServes(cluster, restarted.getIndex(), b("restarted"), b("2"));
        assertThat(client.get(b("hot")).orElseThrow().getValue()).isEqualTo(big);
      }
    }
  }

  @Test
  void aClientWhoseSessionWasEvictedGetsSessionExpiredAtOnceAndTheClusterKeepsItsBound() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(c -> c.sessionPolicy(new SessionPolicy(2, 1024))).start()) {
      try (RaftKvClient first = cluster.connectClient()) {
        first.put(b("a"), b("1"));
        long last = 0;
        for (int i = 0; i < 3; i++) {
          try (RaftKvClient other = cluster.connectClient()) {
            last = other.put(b("o" + i), b("1")).getIndex();
          }
        }
        for (long id = 1; id <= 3; id++) {
          cluster.awaitApplied(id, last);
          assertThat(cluster.server(id).node().sessionCount()).as("node %d", id).isEqualTo(2);
        }
        // Refused and not retried: a retried failure would end as TIMEOUT at the client's deadline.
        assertThatThrownBy(() -> first.put(b("a"), b("2")))
            .isInstanceOfSatisfying(RaftKvException.class,
                e -> assertThat(e.code()).isEqualTo(Error.Code.SESSION_EXPIRED))
            .hasMessageContaining("evicted");
        assertThat(first.get(b("a")).orElseThrow().getValue()).isEqualTo(b("1"));
      }
    }
  }
}
