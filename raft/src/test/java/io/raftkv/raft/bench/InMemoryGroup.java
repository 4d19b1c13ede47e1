package io.raftkv.raft.bench;

import com.google.protobuf.ByteString;
import io.raftkv.raft.MemoryStorage;
import io.raftkv.raft.RaftConfig;
import io.raftkv.raft.RawNode;
import io.raftkv.raft.Ready;
import io.raftkv.raft.StateType;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import java.util.ArrayDeque;
import java.util.List;

/**
 * A Raft group whose nodes, storages and network all live in one thread, driven as an application
 * drives RawNodes: persist, send, apply, advance. Used by the benchmarks to measure the core alone.
 */
public final class InMemoryGroup {
  /** Compact a node's log once this many applied entries sit before its snapshot. */
  private static final long COMPACT_EVERY = 50_000;

  private final RawNode[] nodes;
  private final MemoryStorage[] storages;
  private final long[] applied;
  private final long[] snapshotIndex;
  private final ArrayDeque<Message> network = new ArrayDeque<>();
  private long appliedNormalEntries;

  public InMemoryGroup(int size) {
    nodes = new RawNode[size];
    storages = new MemoryStorage[size];
    applied = new long[size];
    snapshotIndex = new long[size];
    List<Long> peers = new java.util.ArrayList<>();
    for (long id = 1; id <= size; id++) {
      peers.add(id);
    }
    for (int i = 0; i < size; i++) {
      storages[i] = new MemoryStorage();
      nodes[i] = new RawNode(RaftConfig.builder().id(i + 1).peers(peers).storage(storages[i])
          .electionTick(10).heartbeatTick(1).maxInflightMsgs(256).maxSizePerMsg(1 << 20).build());
    }
    settle(); // apply the bootstrap conf changes: a node with unapplied ones does not campaign
    nodes[0].campaign();
    settle();
    if (nodes[0].status().softState().raftState() != StateType.LEADER) {
      throw new IllegalStateException("node 1 did not become leader");
    }
  }

  /** Proposes {@code batch} on the leader and runs the group until every node has applied it. */
  public void proposeAndCommit(List<ByteString> batch) {
    nodes[0].propose(batch);
    settle();
  }

  /** Entries applied by the leader (not counting conf changes and empty leader entries). */
  public long appliedNormalEntries() {
    return appliedNormalEntries;
  }

  /** Handles every Ready and delivers every message until the group is quiet. */
  public void settle() {
    boolean busy = true;
    while (busy) {
      busy = false;
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i].hasReady()) {
          handleReady(i);
          busy = true;
        }
      }
      while (!network.isEmpty()) {
        Message m = network.pollFirst();
        nodes[(int) m.getTo() - 1].step(m);
        busy = true;
      }
    }
  }

  private void handleReady(int i) {
    RawNode node = nodes[i];
    MemoryStorage storage = storages[i];
    Ready rd = node.ready();
    if (rd.snapshot().getMetadata().getIndex() > 0) {
      storage.applySnapshot(rd.snapshot());
      applied[i] = rd.snapshot().getMetadata().getIndex();
      snapshotIndex[i] = applied[i];
    }
    storage.append(rd.entries());
    if (!rd.hardState().equals(HardState.getDefaultInstance())) {
      storage.setHardState(rd.hardState());
    }
    network.addAll(rd.messages());
    for (Entry e : rd.committedEntries()) {
      if (e.getEntryType() == EntryType.EntryConfChange) {
        try {
          storage.setConfState(node.applyConfChange(ConfChange.parseFrom(e.getData())));
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
          throw new IllegalStateException(ex);
        }
      } else if (i == 0 && !e.getData().isEmpty()) {
        appliedNormalEntries++;
      }
      applied[i] = e.getIndex();
    }
    node.advance(rd);
    if (applied[i] - snapshotIndex[i] >= COMPACT_EVERY) {
      storage.createSnapshot(applied[i], null, ByteString.EMPTY);
      storage.compact(applied[i]);
      snapshotIndex[i] = applied[i];
    }
  }
}
