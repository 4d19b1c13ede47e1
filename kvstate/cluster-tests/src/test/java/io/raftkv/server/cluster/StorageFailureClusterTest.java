package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.server.node.RaftKvNode;
import io.raftkv.server.storage.StorageFailures;
import io.raftkv.testkit.InProcessCluster;
import io.raftkv.testkit.SmallDisk;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node whose disk fills up (while it writes its log and state, or a received snapshot) stops and reports the storage failure through {@link RaftKvNode#terminated()}
 * (the server process exits on it); the others keep serving; after space is freed the node restarts and
 * holds every acknowledged write.
 */
class StorageFailureClusterTest {
  @TempDir
  Path root;

  @Test
  void aNodeOnAFullDiskTerminatesWithTheStorageFailureAndRecoversEveryAcknowledgedWriteAfterARestart()
      throws Exception {
    try (SmallDisk disk = SmallDisk.mount(root.resolve("node-3"), "128m")) {
      Map<String, Long> acknowledged = new LinkedHashMap<>();
      long lastAcknowledged = 0;
      try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
        RaftKvNode third = cluster.server(3).node();
        cluster.awaitLeader(java.time.Duration.ofSeconds(10));
        // Every node's address: when node 3 stops, the client goes on with the others.
        java.util.List<String> endpoints = cluster.members().values().stream().map(m -> m.getClientAddress()).toList();
        try (RaftKvClient client = RaftKvClient.connect(endpoints, java.time.Duration.ofSeconds(20))) {
          for (int i = 0; i < 20; i++) {
            lastAcknowledged = put(client, acknowledged, "before-" + i, ByteString.copyFromUtf8("v" + i));
          }
          disk.fill();
          ByteString big = ByteString.copyFrom(new byte[256 << 10]);
          // Until node 3 finds its disk full; a bound keeps a node that never does from hanging the test.
          for (int i = 0; i < 10_000 && !third.terminated().isDone(); i++) {
            try {
              lastAcknowledged = put(client, acknowledged, "after-" + i, big);
            } catch (RaftKvException e) {
              // a leader change while node 3 stops: outcome unknown, not counted
            }
          }
          Throwable cause = third.terminated().get(60, TimeUnit.SECONDS);
          assertThat(cause).as("what stopped node 3").isNotNull();
          assertThat(StorageFailures.isStorageFailure(cause)).as("%s is a storage failure", cause).isTrue();
          assertThat(StorageFailures.describe(cause)).contains("No space left on device");
          assertThat(third.isRunning()).isFalse();
          // Nodes 1 and 2 keep a quorum and serve.
          lastAcknowledged = put(client, acknowledged, "while-3-is-down", ByteString.copyFromUtf8("x"));
        }
        cluster.stop(3);
        disk.free();
        cluster.start(3, false);
        cluster.awaitApplied(3, lastAcknowledged);
        RaftKvNode restarted = cluster.server(3).node();
        for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
          KeyValue kv = restarted.get(ByteString.copyFromUtf8(e.getKey()));
          assertThat(kv).as("acknowledged key %s on the restarted node 3", e.getKey()).isNotNull();
          assertThat(kv.getVersion()).as("version of %s", e.getKey()).isEqualTo(e.getValue());
        }
        RaftKvNode first = cluster.server(1).node();
        cluster.stop(1);
        assertThat(first.terminated().get(10, TimeUnit.SECONDS)).as("a node closed in order reports no failure")
            .isNull();
      }
    }
  }

  @Test
  void aFullDiskWhileReceivingASnapshotStopsTheNodeAndItCatchesUpAfterARestart() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().tuning(b -> b.logGcEntries(50).logGcKeepEntries(5)).start()) {
      long leader = cluster.awaitLeader(java.time.Duration.ofSeconds(10));
      long victim = leader == 3 ? 2 : 3;
      cluster.stop(victim);
      Map<String, Long> acknowledged = new LinkedHashMap<>();
      long lastAcknowledged = 0;
      java.util.List<String> endpoints = cluster.members().values().stream().filter(m -> m.getId() != victim)
          .map(m -> m.getClientAddress()).toList();
      try (RaftKvClient client = RaftKvClient.connect(endpoints, java.time.Duration.ofSeconds(20))) {
        byte[] random = new byte[256 << 10];
        new java.util.Random(7).nextBytes(random); // incompressible: the snapshot's SST files stay that big
        ByteString big = ByteString.copyFrom(random);
        for (int i = 0; i < 120; i++) { // past the log GC point: the victim needs a snapshot of about 5 MiB
          lastAcknowledged = put(client, acknowledged, "k" + i, i % 6 == 0 ? big : ByteString.copyFromUtf8("v" + i));
        }
      }
      // The victim's snapshot staging directory is on a disk too small for the snapshot.
      try (SmallDisk staging = SmallDisk.mount(cluster.dataDir(victim).resolve("snapshots"), "1m")) {
        cluster.start(victim, false);
        RaftKvNode node = cluster.server(victim).node();
        Throwable cause = node.terminated().get(60, TimeUnit.SECONDS);
        assertThat(cause).as("what stopped node %s", victim).isNotNull();
        assertThat(StorageFailures.isStorageFailure(cause)).as("%s is a storage failure", cause).isTrue();
        assertThat(StorageFailures.describe(cause)).contains("No space left on device");
        cluster.stop(victim);
      }
      cluster.start(victim, false);
      cluster.awaitApplied(victim, lastAcknowledged);
      RaftKvNode restarted = cluster.server(victim).node();
      for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
        KeyValue kv = restarted.get(ByteString.copyFromUtf8(e.getKey()));
        assertThat(kv).as("acknowledged key %s on the restarted node", e.getKey()).isNotNull();
        assertThat(kv.getVersion()).as("version of %s", e.getKey()).isEqualTo(e.getValue());
      }
    }
  }

  private static long put(RaftKvClient client, Map<String, Long> acknowledged, String key, ByteString value) {
    long index = client.put(ByteString.copyFromUtf8(key), value).getIndex();
    acknowledged.put(key, index);
    return index;
  }
}
