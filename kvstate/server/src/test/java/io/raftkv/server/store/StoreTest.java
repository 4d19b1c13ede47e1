package io.raftkv.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.server.testing.RecordingTransport;
import io.raftkv.api.Member;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.peer.Peer;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store hosts its groups' peers, routes what arrives by group id, and owns the engine and transport. */
class StoreTest {
  @TempDir
  Path dir;
  private final RecordingTransport transport = new RecordingTransport();


  private NodeConfig config() {
    Member self = Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:7001").setClientAddress("127.0.0.1:8001")
        .build();
    return NodeConfig.builder().nodeId(1).clusterId("c").dataDir(dir).initialMembers(Map.of(1L, self))
        .tickInterval(Duration.ofMillis(10)).electionTicks(10).heartbeatTicks(1).build();
  }

  @Test
  void theTransportDeliversToTheFirstGroupsPeer() {
    try (Store store = Store.open(config(), transport)) {
      assertThat(store.groups()).containsExactly(Store.FIRST_GROUP);
      assertThat(transport.handler).isSameAs(store.peer(Store.FIRST_GROUP));
    }
  }

  @Test
  void anEnvelopeNamingNoGroupIsForTheFirstGroup() {
    try (Store store = Store.open(config(), transport)) {
      assertThat(store.route(0)).isSameAs(store.peer(1));
      assertThat(store.route(1)).isSameAs(store.peer(1));
    }
  }

  @Test
  void whatArrivesForAGroupWithNoReplicaHereHasNowhereToGo() {
    try (Store store = Store.open(config(), transport)) {
      assertThat(store.route(7)).isNull();
      assertThatThrownBy(() -> store.peer(7)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("raft group 7 has no replica on this store; it hosts [1]");
    }
  }

  @Test
  void aPeerTakesWhatIsForItsOwnGroupOnly() {
    try (Store store = Store.open(config(), transport)) {
      Peer first = store.peer(Store.FIRST_GROUP);
      assertThat(first.forGroup(0)).isSameAs(first);
      assertThat(first.forGroup(1)).isSameAs(first);
      assertThat(first.forGroup(2)).isNull();
    }
  }

  @Test
  void aStoreWithoutTheFirstGroupIsRefused() {
    assertThatThrownBy(() -> Store.open(config(), transport, Set.of(2L),
        (group, engine, inbox) -> Peer.open(group, config(), engine, transport, inbox)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("groups [2] leave out group 1");
  }

  @Test
  void aPeerThatFailsToOpenClosesTheEngine() {
    assertThatThrownBy(() -> Store.open(config(), transport, Set.of(Store.FIRST_GROUP), (group, engine, inbox) -> {
      throw new IllegalStateException("group " + group + " cannot open");
    })).hasMessageContaining("group 1 cannot open");
    StorageEngine.open(dir, "c", 1).close(); // the lock was released
    assertThat(transport.handler).isNull();
  }

  @Test
  void closeStopsEveryPeerAndTheTransport() throws Exception {
    Store store = Store.open(config(), transport);
    Peer peer = store.peer(Store.FIRST_GROUP);
    store.close();
    assertThat(peer.terminated().get(30, TimeUnit.SECONDS)).isNull();
    assertThat(peer.isRunning()).isFalse();
    assertThat(transport.closed).isTrue();
  }
}
