package io.raftkv.raft;

import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Snapshot;
import java.util.List;

/**
 * The stable log the application has persisted, read by the core. Indexes are log indexes; {@code lo}
 * is inclusive and {@code hi} exclusive.
 */
public interface Storage {

  /** What a node restarts from: its hard state and the membership it last persisted. */
  record InitialState(HardState hardState, ConfState confState) {}

  InitialState initialState();

  /**
   * Entries in {@code [lo, hi)}: at least one if any is in range, then as many as fit in {@code maxSize}
   * bytes of {@link Entry#getSerializedSize()}.
   *
   * @throws CompactedException if {@code lo} is at or below the compaction point
   * @throws UnavailableException if {@code hi > lastIndex() + 1}
   */
  List<Entry> entries(long lo, long hi, long maxSize);

  /** The term at {@code index}, also at the compaction point (the snapshot's index). */
  long term(long index);

  /** First index still held; 1 for an empty storage. */
  long firstIndex();

  /** Last index held; 0 for an empty storage. */
  long lastIndex();

  /** The latest snapshot; may throw {@link SnapshotTemporarilyUnavailableException}. */
  Snapshot snapshot();
}
