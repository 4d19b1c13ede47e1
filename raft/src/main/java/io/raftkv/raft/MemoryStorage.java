package io.raftkv.raft;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Storage} held in memory, for tests, simulations and benchmarks. Not thread-safe: the
 * application that owns the node also owns its storage.
 *
 * <p>Slot 0 of {@code entries} is a dummy entry standing for the compaction point (index and term of the
 * last snapshot), so {@code term(compactionPoint)} is always answerable and index arithmetic is O(1).
 */
public final class MemoryStorage implements Storage {
  private HardState hardState = HardState.getDefaultInstance();
  private ConfState confState = ConfState.getDefaultInstance();
  private Snapshot snapshot = Snapshot.getDefaultInstance();
  private ArrayList<Entry> entries = new ArrayList<>();

  public MemoryStorage() {
    entries.add(Entry.getDefaultInstance());
  }

  @Override
  public InitialState initialState() {
    return new InitialState(hardState, confState);
  }

  public void setHardState(HardState hardState) {
    this.hardState = hardState;
  }

  public void setConfState(ConfState confState) {
    this.confState = confState;
  }

  private long offset() {
    return entries.get(0).getIndex();
  }

  @Override
  public long firstIndex() {
    return offset() + 1;
  }

  @Override
  public long lastIndex() {
    return offset() + entries.size() - 1;
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxSize) {
    long offset = offset();
    if (lo <= offset) {
      throw new CompactedException("index " + lo + " is compacted (compaction point " + offset + ")");
    }
    if (hi > lastIndex() + 1) {
      throw new UnavailableException("index " + (hi - 1) + " is past the last index " + lastIndex());
    }
    if (lo >= hi) {
      return List.of();
    }
    List<Entry> range = entries.subList((int) (lo - offset), (int) (hi - offset));
    return List.copyOf(LogSizes.limit(range, maxSize));
  }

  @Override
  public long term(long index) {
    long offset = offset();
    if (index < offset) {
      throw new CompactedException("index " + index + " is compacted (compaction point " + offset + ")");
    }
    if (index - offset >= entries.size()) {
      throw new UnavailableException("index " + index + " is past the last index " + lastIndex());
    }
    return entries.get((int) (index - offset)).getTerm();
  }

  @Override
  public Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Replaces the whole storage with {@code snap}: its entries are dropped and its membership becomes the
   * conf state.
   *
   * @throws SnapshotOutOfDateException if {@code snap} is not newer than the snapshot held
   */
  public void applySnapshot(Snapshot snap) {
    long held = snapshot.getMetadata().getIndex();
    long incoming = snap.getMetadata().getIndex();
    if (held >= incoming) {
      throw new SnapshotOutOfDateException(
          "snapshot at index " + incoming + " is not newer than the one held at " + held);
    }
    snapshot = snap;
    confState = snap.getMetadata().getConfState();
    entries = new ArrayList<>();
    entries.add(dummy(incoming, snap.getMetadata().getTerm()));
  }

  /**
   * Records a snapshot of the application's state at {@code index}; the log is not compacted (see
   * {@link #compact(long)}) and the conf state is not changed.
   */
  public Snapshot createSnapshot(long index, ConfState confState, ByteString data) {
    long held = snapshot.getMetadata().getIndex();
    if (index <= held) {
      throw new SnapshotOutOfDateException(
          "snapshot index " + index + " is not newer than the one held at " + held);
    }
    if (index > lastIndex()) {
      throw new IllegalArgumentException(
          "snapshot index " + index + " is past the last index " + lastIndex());
    }
    SnapshotMetadata.Builder metadata = SnapshotMetadata.newBuilder().setIndex(index).setTerm(term(index));
    if (confState != null) {
      metadata.setConfState(confState);
    }
    snapshot = Snapshot.newBuilder().setData(data).setMetadata(metadata).build();
    return snapshot;
  }

  /** Drops the entries at and below {@code compactIndex}, which becomes the compaction point. */
  public void compact(long compactIndex) {
    long offset = offset();
    if (compactIndex <= offset) {
      throw new CompactedException(
          "compact index " + compactIndex + " is at or below the compaction point " + offset);
    }
    if (compactIndex > lastIndex()) {
      throw new IllegalArgumentException(
          "compact index " + compactIndex + " is past the last index " + lastIndex());
    }
    int cut = (int) (compactIndex - offset);
    ArrayList<Entry> kept = new ArrayList<>(entries.size() - cut);
    kept.add(dummy(compactIndex, entries.get(cut).getTerm()));
    kept.addAll(entries.subList(cut + 1, entries.size()));
    entries = kept;
  }

  /**
   * Appends {@code newEntries}, which must be contiguous; everything from the first appended index on is
   * replaced, and entries at or below the compaction point are skipped.
   */
  public void append(List<Entry> newEntries) {
    if (newEntries.isEmpty()) {
      return;
    }
    long first = firstIndex();
    long last = newEntries.get(0).getIndex() + newEntries.size() - 1;
    if (last < first) {
      return; // all of it is already compacted
    }
    List<Entry> toAppend = newEntries;
    if (first > newEntries.get(0).getIndex()) {
      toAppend = newEntries.subList((int) (first - newEntries.get(0).getIndex()), newEntries.size());
    }
    long at = toAppend.get(0).getIndex() - offset();
    if (at > entries.size()) {
      throw new IllegalArgumentException("entries start at index " + toAppend.get(0).getIndex()
          + ", leaving a gap after the last index " + lastIndex());
    }
    if (at < entries.size()) {
      entries.subList((int) at, entries.size()).clear();
    }
    entries.addAll(toAppend);
  }

  private static Entry dummy(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }
}
