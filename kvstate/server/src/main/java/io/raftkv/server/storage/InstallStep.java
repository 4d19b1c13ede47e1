package io.raftkv.server.storage;

/**
 * The steps of a snapshot install, in order. A test hook on {@link SnapshotStore} sees each as it is
 * reached, so a test can stop the install there as a crash or a full disk would.
 */
enum InstallStep {
  /** Nothing is written yet: a crash here leaves the old state. */
  STARTING,
  /** The install marker and the raft state are written in one synced batch: the commit point. */
  COMMITTED,
  /** The replicated column families are empty. */
  CLEARED,
  /** One more column family's staged file is ingested (reached once per file). */
  FAMILY_INGESTED,
  /** Every staged file is ingested. */
  INGESTED,
  /** The apply state is written and the marker deleted, in one synced batch: the install is complete. */
  RECORDED
}
