package io.raftkv.server.cluster;

import io.raftkv.api.AddMemberRequest;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.ListMembersRequest;
import io.raftkv.api.Member;
import io.raftkv.api.MembershipResponse;
import io.raftkv.api.RemoveMemberRequest;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.service.RaftKvServer;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Membership changes that would break the cluster are refused by the node, naming the member and why. */
class MembershipSafetyTest {
  @TempDir
  Path root;

  private InProcessCluster cluster;
  private long leader;

  @BeforeEach
  void start() throws Exception {
    cluster = InProcessCluster.builder(root, 3).partitionable().start();
    leader = cluster.awaitLeader(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private static ThrowingConsumer<Throwable> refusedWith(String... texts) {
    return t -> {
      Error e = ErrorTrailers.fromThrowable(t);
      assertThat(e.getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
      for (String text : texts) {
        assertThat(e.getMessage()).contains(text);
      }
    };
  }

  private MembershipResponse add(Member m) {
    return cluster.call(leader, AdminRpc.ADD_MEMBER, AddMemberRequest.newBuilder().setMember(m).build());
  }

  private MembershipResponse remove(long id) {
    return cluster.call(leader, AdminRpc.REMOVE_MEMBER, RemoveMemberRequest.newBuilder().setId(id).build());
  }

  private long follower() {
    return cluster.members().keySet().stream().filter(id -> id != leader).findFirst().orElseThrow();
  }

  @Test
  void addingAnExistingIdWithAnotherAddressIsRefused() {
    long other = follower();
    Member clash = InProcessCluster.newMember(other);
    assertThatThrownBy(() -> add(clash)).satisfies(refusedWith("node " + other + " is already a member, at "
        + cluster.members().get(other).getPeerAddress(), "under a new id"));
    assertThat(cluster.call(leader, AdminRpc.LIST_MEMBERS, ListMembersRequest.getDefaultInstance())
        .getMembersList()).filteredOn(m -> m.getId() == other).extracting(Member::getPeerAddress)
        .containsExactly(cluster.members().get(other).getPeerAddress());
  }

  @Test
  void aNewMemberOnAnotherMembersPeerAddressIsRefused() {
    long other = follower();
    Member sameAddress = InProcessCluster.newMember(9).toBuilder()
        .setPeerAddress(cluster.members().get(other).getPeerAddress()).build();
    assertThatThrownBy(() -> add(sameAddress)).satisfies(refusedWith("peer address "
        + cluster.members().get(other).getPeerAddress() + " is already member " + other + "'s"));
  }

  @Test
  void addressesTheServerCannotParseAreRefused() {
    Member base = InProcessCluster.newMember(9);
    assertThatThrownBy(() -> add(base.toBuilder().setPeerAddress("127.0.0.1:70000").build()))
        .satisfies(refusedWith("member 9", "peer address '127.0.0.1:70000' has port 70000: expected 1-65535"));
    assertThatThrownBy(() -> add(base.toBuilder().setPeerAddress("no-port").build()))
        .satisfies(refusedWith("member 9", "peer address 'no-port' is not host:port"));
    assertThatThrownBy(() -> add(base.toBuilder().setClientAddress("host:port").build()))
        .satisfies(refusedWith("member 9", "client address 'host:port' has port 'port'"));
    assertThatThrownBy(() -> add(base.toBuilder().setPeerAddress("bad host:7000").build()))
        .satisfies(refusedWith("member 9", "not a host name or IP address"));
  }

  /** Waits until the leader no longer counts {@code id} as heard from recently. */
  private void awaitNotHeard(long id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.server(leader).node().recentlyHeardVoters().get(10, TimeUnit.SECONDS).contains(id)) {
      assertThat(System.nanoTime()).as("node %d still counted as heard after 30 s", id).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void aChangeAfterWhichTheLiveMembersAreNoQuorumIsRefused() throws Exception {
    long down = follower();
    long up = cluster.members().keySet().stream().filter(id -> id != leader && id != down).findFirst().orElseThrow();
    cluster.stop(down);
    awaitNotHeard(down);
    assertThat(cluster.server(leader).node().recentlyHeardVoters().get(10, TimeUnit.SECONDS))
        .isEqualTo(Set.of(leader, up));
    // 2 of 3 up: a fourth voter would make 4 voters needing 3, with 2 alive.
    assertThatThrownBy(() -> add(InProcessCluster.newMember(4))).satisfies(refusedWith("adding node 4",
        "needing 3 for a quorum", "only 2", "not heard: [" + down));
    // Removing a live voter leaves it and the dead one: 2 voters needing 2, 1 alive.
    assertThatThrownBy(() -> remove(up)).satisfies(refusedWith("removing node " + up, "needing 2", "only 1"));
    // Learners do not vote: adding one changes no quorum.
    assertThat(add(InProcessCluster.newMember(5).toBuilder().setLearner(true).build()).getMembersList())
        .extracting(Member::getId).contains(5L);
    // Removing the dead voter is safe, and then a replacement may be added (3 voters, 2 alive).
    assertThat(remove(down).getMembersList()).extracting(Member::getId).doesNotContain(down);
    assertThat(add(InProcessCluster.newMember(6)).getMembersList()).extracting(Member::getId).contains(6L);
  }

  @Test
  void aRestartWithOtherFoundingMembersThanItsDataIsRefused() throws Exception {
    long id = follower();
    cluster.stop(id);
    Map<Long, Member> other = new LinkedHashMap<>(cluster.members());
    other.remove(leader);
    other.put(7L, InProcessCluster.newMember(7));
    NodeConfig config = cluster.configFor(id, false).initialMembers(other).build();
    Member m = cluster.members().get(id);
    assertThatThrownBy(() -> RaftKvServer.start(config, "127.0.0.1", port(m.getPeerAddress()),
        port(m.getClientAddress())))
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("its members are {1=")
        .hasMessageContaining("but the founding members given (--peers) are {")
        .hasMessageContaining("raftkv members add/remove");
    // The same founding members as its data: it starts.
    cluster.start(id, true);
    cluster.awaitLeader(Duration.ofSeconds(10));
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  @Test
  void leadershipIsNotHandedToALearnerOrToAVoterNotHeardFrom() throws Exception {
    add(InProcessCluster.newMember(5).toBuilder().setLearner(true).build());
    assertThatThrownBy(() -> cluster.call(leader, AdminRpc.TRANSFER_LEADER,
        io.raftkv.api.TransferLeaderRequest.newBuilder().setTransferee(5).build()))
        .satisfies(refusedWith("node 5 is not a voting member", "(node 5 is a learner)"));
    long down = follower();
    cluster.stop(down);
    awaitNotHeard(down);
    assertThatThrownBy(() -> cluster.call(leader, AdminRpc.TRANSFER_LEADER,
        io.raftkv.api.TransferLeaderRequest.newBuilder().setTransferee(down).build()))
        .satisfies(refusedWith("node " + down + " was not heard from within the last election timeout"));
  }
}
