package io.raftkv.server.peer;

import io.raftkv.raft.Ready;

/**
 * A Ready on its way to disk, with what the loop knew when it took it: whether it was sent as leader
 * (before persisting) and the snapshot it installs, if any (null when none).
 */
record InFlightReady(Ready ready, boolean sentByLeader, SnapshotCoordinator.Install install) {}
