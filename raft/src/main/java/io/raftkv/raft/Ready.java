package io.raftkv.raft;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.Snapshot;
import java.util.List;

/**
 * Work the application must do for the core: persist {@code hardState}, {@code entries} and
 * {@code snapshot} (synced when {@code mustSync}), send {@code messages}, apply {@code committedEntries},
 * then call {@link RawNode#advance(Ready)}.
 *
 * @param softState null when unchanged
 * @param hardState {@link HardState#getDefaultInstance()} when unchanged
 * @param snapshot {@link Snapshot#getDefaultInstance()} when there is none
 */
public record Ready(SoftState softState, HardState hardState, List<Entry> entries, Snapshot snapshot,
    List<Entry> committedEntries, List<Message> messages, List<ReadState> readStates, boolean mustSync) {}
