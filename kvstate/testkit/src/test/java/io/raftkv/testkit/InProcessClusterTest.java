package io.raftkv.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.Member;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessClusterTest {
  @TempDir
  Path root;

  @Test
  void aClusterWithoutNodesIsRefusedNamingTheSize() {
    assertThatThrownBy(() -> InProcessCluster.builder(root, 0).create())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size 0");
  }

  @Test
  void theDefaultsAreClusterTestWithLinksThatCannotBeCut() {
    InProcessClusterSpec spec = InProcessCluster.builder(root, 3).spec();
    assertThat(spec.clusterId()).isEqualTo("test");
    assertThat(spec.partitionable()).isFalse();
    assertThat(spec.faultInjection()).isFalse();
    assertThat(spec.foundingPeersOnly()).isFalse();
  }

  @Test
  void membersGetDistinctAddressesAndDataDirectoriesUnderTheRoot() {
    InProcessCluster cluster = InProcessCluster.builder(root, 3).create();
    assertThat(cluster.members()).containsOnlyKeys(1L, 2L, 3L);
    assertThat(cluster.members().values().stream().flatMap(m -> Stream.of(m.getPeerAddress(),
        m.getClientAddress()))).doesNotHaveDuplicates().hasSize(6);
    assertThat(cluster.dataDir(2)).isEqualTo(root.resolve("node-2"));
    assertThat(cluster.peers()).startsWith("1=" + cluster.members().get(1L).getPeerAddress() + ",2=");
    assertThat(cluster.endpoints()).isEqualTo(String.join(",", cluster.clientAddresses()));
  }

  @Test
  void foundingPeersOnlyGivesEachNodeOnlyItsOwnClientAddressAsTheCommandLineDoes() {
    InProcessCluster cluster = InProcessCluster.builder(root, 3).foundingPeersOnly().create();
    var founding = cluster.configFor(2, true).build().initialMembers();
    assertThat(founding.get(2L).getClientAddress()).isEqualTo(cluster.members().get(2L).getClientAddress());
    assertThat(founding.get(1L).getClientAddress()).isEmpty();
    assertThat(founding.get(3L).getClientAddress()).isEmpty();
    assertThat(founding.values()).extracting(Member::getPeerAddress)
        .containsExactlyInAnyOrderElementsOf(cluster.members().values().stream().map(Member::getPeerAddress).toList());
  }

  @Test
  void aClusterWhoseLinksCannotBeCutRefusesAPartition() {
    InProcessCluster cluster = InProcessCluster.builder(root, 3).create();
    assertThatThrownBy(() -> cluster.partition(Set.of(1L))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("partitionable()");
  }

  @Test
  void aNodeStoppedInTheBackgroundRestartsOnItsDataAndServesWhatItHad() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 1).clusterId("kit").startWithLeader()) {
      cluster.client().put(ByteString.copyFromUtf8("k"), ByteString.copyFromUtf8("v"));
      cluster.stopInBackground(1);
      assertThat(cluster.running(1)).isFalse();
      cluster.restart(1);
      assertThat(cluster.awaitLeader(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(cluster.getUtf8("k")).isEqualTo("v");
    }
  }
}
