package io.raftkv.server.store;

import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.node.PeerInbox;
import io.raftkv.server.node.RaftMessageHandler;
import io.raftkv.server.node.Transport;
import io.raftkv.server.peer.Peer;
import io.raftkv.server.storage.StorageEngine;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The process side of RaftKV: owns the storage engine and the transport, hosts one {@link Peer} per raft
 * group it holds a replica of (today group {@link #FIRST_GROUP} only), starts and stops them, and routes
 * what arrives for a group to that group's peer.
 */
public final class Store implements AutoCloseable {
  /** The group every store hosts; a peer message without a group id is for it. */
  public static final long FIRST_GROUP = RaftMessageHandler.DEFAULT_GROUP;

  private final StorageEngine engine;
  private final Transport transport;
  /** Hosted peers by raft group id; fixed once the store is open. */
  private final Map<Long, Peer> peers;

  private Store(StorageEngine engine, Transport transport, Map<Long, Peer> peers) {
    this.engine = engine;
    this.transport = transport;
    this.peers = Collections.unmodifiableMap(peers);
  }

  /**
   * Opens the data directory of {@code config}, opens the peers of {@code groups} with {@code openPeer}
   * (closing the engine if one fails to open), starts their loops, then starts the transport delivering
   * to the first group's peer.
   */
  static Store open(NodeConfig config, Transport transport, Set<Long> groups, PeerOpener openPeer) {
    if (!groups.contains(FIRST_GROUP)) {
      throw new IllegalArgumentException("groups " + groups + " leave out group " + FIRST_GROUP
          + ", which every store hosts");
    }
    StorageEngine engine = StorageEngine.open(config.dataDir(), config.clusterId(), config.nodeId());
    // One inbox for every peer: a peer stream reserves its slot before it reads which group a batch is for.
    PeerInbox inbox = new PeerInbox(config.overloadLimits().maxQueuedPeerBatches());
    Map<Long, Peer> peers = new TreeMap<>();
    try {
      for (long group : groups) {
        peers.put(group, openPeer.open(group, engine, inbox));
      }
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    Store store = new Store(engine, transport, peers);
    peers.values().forEach(Peer::start);
    transport.start(store.peer(FIRST_GROUP));
    return store;
  }

  /** Opens the store of {@code config} hosting group {@link #FIRST_GROUP}'s peer. */
  public static Store open(NodeConfig config, Transport transport) {
    return open(config, transport, Set.of(FIRST_GROUP),
        (group, engine, inbox) -> Peer.open(group, config, engine, transport, inbox));
  }

  /** How the store opens the peer of a group on its engine, with the store's inbox for peer batches. */
  @FunctionalInterface
  interface PeerOpener {
    Peer open(long groupId, StorageEngine engine, PeerInbox inbox);
  }

  /** The peer of {@code groupId}; throws naming the groups hosted when this store holds no replica of it. */
  public Peer peer(long groupId) {
    Peer peer = peers.get(groupId);
    if (peer == null) {
      throw new IllegalArgumentException("raft group " + groupId + " has no replica on this store; it hosts "
          + peers.keySet());
    }
    return peer;
  }

  /**
   * Where what arrives for raft group {@code groupId} goes (0 means {@link #FIRST_GROUP}, as in an
   * envelope from a sender that names no group), or null when no replica of it is here (it is dropped;
   * raft resends).
   */
  public RaftMessageHandler route(long groupId) {
    return peers.get(groupId == 0 ? FIRST_GROUP : groupId);
  }

  /** The raft groups hosted here. */
  public Set<Long> groups() {
    return peers.keySet();
  }

  /**
   * Stops every peer's loop (each answers what waits), then the transport, then the peers' snapshots and
   * the engine.
   */
  @Override
  public void close() {
    peers.values().forEach(Peer::stop);
    transport.close();
    peers.values().forEach(Peer::closeSnapshots);
    engine.close();
  }
}
