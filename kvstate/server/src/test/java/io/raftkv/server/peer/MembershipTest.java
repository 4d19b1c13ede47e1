package io.raftkv.server.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.server.testing.RecordingTransport;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.api.Error;
import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Membership changes are checked before they are proposed and, once committed, reach the directory and transport. */
class MembershipTest {
  private static final long WINDOW = TimeUnit.SECONDS.toNanos(1);
  private static final ConfState THREE_VOTERS = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();

  @TempDir
  Path dir;
  private StorageEngine engine;
  private final RecordingTransport transport = new RecordingTransport();
  private Membership membership;

  private static Member member(long id) {
    return Member.newBuilder().setId(id).setPeerAddress("127.0.0.1:" + (7000 + id))
        .setClientAddress("127.0.0.1:" + (8000 + id)).build();
  }

  private static ConfChange add(long id) {
    return ConfChange.newBuilder().setChangeType(ConfChangeType.AddNode).setNodeId(id)
        .setContext(member(id).toByteString()).build();
  }

  private static ConfChange remove(long id) {
    return ConfChange.newBuilder().setChangeType(ConfChangeType.RemoveNode).setNodeId(id).build();
  }

  @BeforeEach
  void open() {
    engine = StorageEngine.open(dir, "c", 1);
    MemberDirectory directory = new MemberDirectory(engine, GroupKeys.firstGroup());
    directory.replaceAll(List.of(member(1), member(2), member(3)));
    membership = new Membership(1, directory, transport, WINDOW);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void connectingPointsTheTransportAtEveryMemberButItself() {
    membership.connectPeers();
    assertThat(transport.peers).containsOnlyKeys(2L, 3L);
  }

  @Test
  void anAppliedAddRecordsTheMemberAndPointsTheTransportAtIt() {
    membership.apply(add(4));
    assertThat(membership.get(4)).isEqualTo(member(4));
    assertThat(transport.peers).containsEntry(4L, member(4).getPeerAddress());
  }

  @Test
  void anAppliedRemovalOfAnotherDropsItFromTheTransport() {
    membership.connectPeers();
    membership.apply(remove(3));
    assertThat(membership.get(3)).isNull();
    assertThat(transport.peers).containsOnlyKeys(2L);
    assertThat(membership.selfRemoved()).isFalse();
  }

  @Test
  void anAppliedRemovalOfItselfMarksThePeerRemoved() {
    membership.apply(remove(1));
    assertThat(membership.selfRemoved()).isTrue();
    assertThat(membership.all()).extracting(Member::getId).containsExactly(2L, 3L);
  }

  @Test
  void removingANonMemberIsRefusedNamingTheMembers() {
    NodeException refusal = membership.refuseProposal(remove(9), THREE_VOTERS, System.nanoTime());
    assertThat(refusal.error().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(refusal.getMessage()).contains("node 9 is not a member").contains("1", "2", "3");
  }

  @Test
  void addingAVoterIsRefusedUntilAQuorumOfTheNewVotersWasHeardFrom() {
    long now = System.nanoTime();
    NodeException refusal = membership.refuseProposal(add(4), THREE_VOTERS, now);
    assertThat(refusal.getMessage()).contains("adding node 4").contains("needing 3");
    membership.heard(2, now);
    membership.heard(3, now);
    assertThat(membership.refuseProposal(add(4), THREE_VOTERS, now)).isNull();
  }

  @Test
  void aVoterHeardFromBeforeTheWindowDoesNotCount() {
    long now = System.nanoTime();
    membership.heard(2, now - 2 * WINDOW);
    assertThat(membership.heardRecently(2, now)).isFalse();
    assertThat(membership.heardRecently(1, now)).isTrue();
    assertThat(membership.recentlyHeardVoters(THREE_VOTERS, now)).containsExactly(1L);
  }

  @Test
  void aTransferToANonVoterIsRefusedNamingTheVoters() {
    NodeException refusal = membership.refuseTransferee(5, THREE_VOTERS);
    assertThat(refusal.error().getCode()).isEqualTo(Error.Code.INVALID_ARGUMENT);
    assertThat(refusal.getMessage()).contains("node 5 is not a voting member").contains("[1, 2, 3]");
    assertThat(membership.refuseTransferee(2, THREE_VOTERS)).isNull();
  }

  @Test
  void notLeaderNamesTheLeaderAndItsClientAddress() {
    NodeException error = membership.notLeader(2);
    assertThat(error.error().getCode()).isEqualTo(Error.Code.NOT_LEADER);
    assertThat(error.error().getLeaderId()).isEqualTo(2);
    assertThat(error.error().getLeaderAddress()).isEqualTo(member(2).getClientAddress());
    assertThat(membership.notLeader(0).getMessage()).contains("no leader is known yet");
  }

  @Test
  void adoptingASnapshotsMembersReplacesTheDirectory() {
    membership.adopt(List.of(member(1), member(5)));
    assertThat(membership.all()).extracting(Member::getId).containsExactly(1L, 5L);
    assertThat(transport.peers).containsOnlyKeys(5L);
  }
}
