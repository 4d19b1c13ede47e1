package io.raftkv.raft;

import static io.raftkv.raft.TestCluster.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RaftConfig.build() validation: each bad field is rejected with a message naming it. */
class RaftConfigTest {

  private static RaftConfig.Builder valid() {
    return RaftConfig.builder().id(1).storage(new MemoryStorage()).electionTick(10).heartbeatTick(1);
  }

  private static MemoryStorage nonEmptyStorage() {
    MemoryStorage s = new MemoryStorage();
    s.append(List.of(entry(1, 1)));
    return s;
  }

  @Test
  void validConfigBuildsAndKeepsItsValues() {
    RaftConfig c = valid().peers(List.of(1L, 2L)).learners(List.of(3L)).maxInflightMsgs(4).maxSizePerMsg(100)
        .preVote(true).checkQuorum(true).applied(0).randomSeed(42).build();
    assertThat(c.id()).isEqualTo(1);
    assertThat(c.peers()).containsExactly(1L, 2L);
    assertThat(c.learners()).containsExactly(3L);
    assertThat(c.electionTick()).isEqualTo(10);
    assertThat(c.heartbeatTick()).isEqualTo(1);
    assertThat(c.maxInflightMsgs()).isEqualTo(4);
    assertThat(c.maxSizePerMsg()).isEqualTo(100);
    assertThat(c.preVote()).isTrue();
    assertThat(c.checkQuorum()).isTrue();
    assertThat(c.randomSeed()).isEqualTo(42);
  }

  @Test
  void randomSeedDefaultsToId() {
    assertThat(valid().id(7).build().randomSeed()).isEqualTo(7);
  }

  @Test
  void idZeroIsRejectedNamingId() {
    assertThatThrownBy(() -> valid().id(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
  }

  @Test
  void heartbeatTickBelowOneIsRejectedNamingHeartbeatTick() {
    assertThatThrownBy(() -> valid().heartbeatTick(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatTick");
    assertThatThrownBy(() -> valid().heartbeatTick(-3).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatTick");
  }

  @Test
  void electionTickNotAboveHeartbeatTickIsRejectedNamingElectionTick() {
    assertThatThrownBy(() -> valid().heartbeatTick(3).electionTick(3).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("electionTick");
    assertThatThrownBy(() -> valid().heartbeatTick(3).electionTick(2).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("electionTick");
    assertThat(valid().heartbeatTick(3).electionTick(4).build().electionTick()).isEqualTo(4);
  }

  @Test
  void missingStorageIsRejectedNamingStorage() {
    assertThatThrownBy(() -> RaftConfig.builder().id(1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage");
  }

  @Test
  void maxInflightMsgsBelowOneIsRejectedNamingMaxInflightMsgs() {
    assertThatThrownBy(() -> valid().maxInflightMsgs(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInflightMsgs");
  }

  @Test
  void peersWithNonEmptyStorageAreRejectedNamingPeers() {
    assertThatThrownBy(() -> valid().storage(nonEmptyStorage()).peers(List.of(1L, 2L, 3L)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peers");
  }

  @Test
  void learnersWithNonEmptyStorageAreRejectedNamingLearners() {
    assertThatThrownBy(() -> valid().storage(nonEmptyStorage()).learners(List.of(4L)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learners");
  }

  @Test
  void restartConfigWithoutPeersOverNonEmptyStorageBuilds() {
    assertThat(valid().storage(nonEmptyStorage()).build().peers()).isEmpty();
  }
}
