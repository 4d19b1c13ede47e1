package io.raftkv.server.peer;

import io.raftkv.api.Member;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.pb.HardState;
import io.raftkv.server.feed.ChangeFeed;
import io.raftkv.server.node.NodeConfig;
import io.raftkv.server.statemachine.KvStateMachine;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.PeerStorage;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.StorageEngine;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one peer's state from the store's engine: finishes a snapshot install a crash interrupted,
 * founds the group on a fresh start (recording the founding members), and on a restart refuses founding
 * members other than those on disk and an applied index past the persisted commit.
 */
final class PeerBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(PeerBootstrap.class);

  /** A peer's state as opened from disk, and the raft configuration to start its RawNode with. */
  record Opened(SnapshotStore snapshots, PeerStorage storage, KvStateMachine stateMachine,
      MemberDirectory members, ChangeFeed changeFeed, RaftConfig raftConfig) {}

  private PeerBootstrap() {}

  /** Opens raft group {@code groupId}'s replica: its storage views read and write only that group's keys. */
  static Opened open(long groupId, NodeConfig config, StorageEngine engine) {
    GroupKeys keys = new GroupKeys(groupId);
    SnapshotStore snapshots = new SnapshotStore(engine, keys);
    if (snapshots.resumedInstallIndex() > 0) {
      LOG.warn("node {} group {}: finished the install of snapshot {} that a crash or storage failure"
          + " interrupted", config.nodeId(), groupId, snapshots.resumedInstallIndex());
    }
    PeerStorage storage = new PeerStorage(engine, keys, config.entryCacheBytes());
    if (snapshots.recoverInterruptedInstall(storage.lastIndex(), storage.truncatedState())) {
      LOG.warn("node {} group {}: finished a snapshot install interrupted by a crash", config.nodeId(), groupId);
      storage = new PeerStorage(engine, keys, config.entryCacheBytes());
    }
    KvStateMachine stateMachine = new KvStateMachine(engine, keys, config.limits(), config.sessionPolicy());
    MemberDirectory members = new MemberDirectory(engine, keys);
    ChangeFeed changeFeed = new ChangeFeed(engine, keys, config.feedRetention());
    RaftConfig raftConfig = raftConfig(config, engine, storage, members,
        stateMachine.applyState().getAppliedIndex());
    return new Opened(snapshots, storage, stateMachine, members, changeFeed, raftConfig);
  }

  private static RaftConfig raftConfig(NodeConfig config, StorageEngine engine, PeerStorage storage,
      MemberDirectory members, long applied) {
    RaftConfig.Builder b = RaftConfig.builder().id(config.nodeId()).storage(storage)
        .electionTick(config.electionTicks()).heartbeatTick(config.heartbeatTicks())
        .maxInflightMsgs(config.maxInflightMsgs()).maxSizePerMsg(config.maxSizePerMsg())
        .preVote(true).checkQuorum(true);
    boolean fresh = storage.lastIndex() == 0 && storage.hardState().equals(HardState.getDefaultInstance());
    if (!fresh && !config.initialMembers().isEmpty() && !members.all().isEmpty()) {
      refuseOtherFoundingMembers(config, members);
    }
    if (fresh && !config.initialMembers().isEmpty()) {
      b.peers(new ArrayList<>(new TreeSet<>(config.initialMembers().keySet())));
      members.replaceAll(new ArrayList<>(config.initialMembers().values()));
      try (WriteBatch batch = new WriteBatch()) {
        members.stage(batch);
        engine.write(batch, true);
      }
    }
    if (applied > storage.hardState().getCommit() && applied > storage.truncatedState().getIndex()) {
      throw new DataDirectoryException(config.dataDir(), "applied index " + applied
          + " is past the persisted commit index " + storage.hardState().getCommit());
    }
    return b.applied(Math.max(applied, storage.truncatedState().getIndex())).build();
  }

  /**
   * A restarted node takes its members from its data directory; founding members given again must be the
   * same, or the caller believes in a membership the cluster does not have.
   */
  private static void refuseOtherFoundingMembers(NodeConfig config, MemberDirectory members) {
    Map<Long, String> stored = new TreeMap<>();
    members.all().forEach(m -> stored.put(m.getId(), m.getPeerAddress()));
    Map<Long, String> given = new TreeMap<>();
    for (Member m : config.initialMembers().values()) {
      given.put(m.getId(), m.getPeerAddress());
    }
    if (!stored.equals(given)) {
      throw new DataDirectoryException(config.dataDir(), "its members are " + stored
          + " but the founding members given (--peers) are " + given + ": a restarted node takes its members"
          + " from its data directory, so leave --peers out (or give exactly these); change membership on the"
          + " running cluster with 'raftkv members add/remove'");
    }
  }
}
