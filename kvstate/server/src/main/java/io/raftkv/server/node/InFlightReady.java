package io.raftkv.server.node;

import io.raftkv.raft.Ready;
import io.raftkv.server.storage.SnapshotStore;
import io.raftkv.server.storage.pb.SnapshotDescriptor;

/**
 * A Ready on its way to disk, with what the loop knew when it took it: whether it was sent as leader
 * (before persisting) and the snapshot it installs, if any.
 */
record InFlightReady(Ready ready, boolean sentByLeader, SnapshotStore.StagedSnapshot snapshotData,
    SnapshotDescriptor snapshotDescriptor) {}
