package io.raftkv.server.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.server.testing.RecordingTransport;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.api.Member;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.node.PeerInbox;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fresh peer founds its group; a restarted one takes its members from disk and refuses other founders. */
class PeerBootstrapTest {
  @TempDir
  Path dir;
  private StorageEngine engine;

  @BeforeEach
  void open() {
    engine = StorageEngine.open(dir, "c", 1);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private static void closeViews(PeerBootstrap.Opened opened) {
    opened.changeFeed().close();
    opened.snapshots().close();
  }

  /** Runs a peer alone until it leads (its raft state is then on disk), and stops it. */
  private void runOnce() throws InterruptedException {
    Peer peer = Peer.open(1, SinglePeers.alone(dir), engine, new RecordingTransport(), new PeerInbox(8));
    peer.start();
    try {
      SinglePeers.awaitLeader(peer);
    } finally {
      peer.stop();
      peer.closeSnapshots();
    }
  }

  @Test
  void aFreshPeerRecordsItsFoundingMembers() {
    Map<Long, Member> founding = Map.of(1L, SinglePeers.member(1), 2L, SinglePeers.member(2));
    closeViews(PeerBootstrap.open(1, SinglePeers.config(dir, founding).build(), engine));
    assertThat(new MemberDirectory(engine, GroupKeys.firstGroup()).all()).containsExactly(SinglePeers.member(1), SinglePeers.member(2));
  }

  @Test
  void aRestartTakesItsMembersFromDisk() throws InterruptedException {
    runOnce();
    PeerBootstrap.Opened opened = PeerBootstrap.open(1, SinglePeers.config(dir, Map.of()).build(), engine);
    assertThat(opened.members().all()).containsExactly(SinglePeers.member(1));
    assertThat(opened.storage().hardState().getTerm()).isPositive();
    closeViews(opened);
  }

  @Test
  void aRestartWithTheSameFoundingMembersIsAccepted() throws InterruptedException {
    runOnce();
    closeViews(PeerBootstrap.open(1, SinglePeers.alone(dir), engine));
  }

  @Test
  void aRestartWithOtherFoundingMembersIsRefusedNamingBoth() throws InterruptedException {
    runOnce();
    Member moved = SinglePeers.member(1).toBuilder().setPeerAddress("127.0.0.1:9999").build();
    assertThatThrownBy(() -> PeerBootstrap.open(1, SinglePeers.config(dir, Map.of(1L, moved)).build(), engine))
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("its members are {1=127.0.0.1:7001}")
        .hasMessageContaining("the founding members given (--peers) are {1=127.0.0.1:9999}");
  }
}
