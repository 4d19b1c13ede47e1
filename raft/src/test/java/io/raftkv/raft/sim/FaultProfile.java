package io.raftkv.raft.sim;

/**
 * How hostile the simulated environment is during the random phase of a run. Message rates apply to
 * each message sent; the other rates are chances per simulation step.
 */
enum FaultProfile {
  /** No faults at all: used by the scripted scenarios, which inject their own. */
  NONE(0, 0, 0, 0, 0, 0, 0, 0),
  /** A healthy network with the odd lost message and rare crashes. */
  CALM(0.005, 0.005, 0.02, 0, 0.0005, 0.02, 0.01, 0.01),
  /** Many lost, duplicated and reordered messages. */
  LOSSY(0.12, 0.05, 0.15, 0, 0.001, 0.05, 0.02, 0.02),
  /** Frequent partitions of every kind (splits, isolated leader, bridge, one-way links). */
  PARTITIONS(0.02, 0.01, 0.05, 0.008, 0.001, 0.05, 0.02, 0.02),
  /** Frequent crashes, also in the middle of handling a Ready, and heavy log compaction. */
  CRASHES(0.02, 0.01, 0.05, 0.001, 0.008, 0.15, 0.04, 0.25),
  /** Everything at once. */
  CHAOS(0.08, 0.04, 0.10, 0.005, 0.004, 0.10, 0.03, 0.1);

  /** Chance that a sent message is lost. */
  final double dropRate;
  /** Chance that a sent message is delivered twice (never for MsgPropose, see SimNetwork). */
  final double duplicateRate;
  /** Chance that a sent message takes a long detour, so that later messages overtake it. */
  final double reorderRate;
  /** Chance per step that a partition starts while none is active. */
  final double partitionRate;
  /** Chance per step that a node crashes. */
  final double crashRate;
  /** Chance that a node sits on a Ready (already taken from the RawNode) for a few steps before persisting it. */
  final double holdReadyRate;
  /** Chance per step that a node compacts its log behind a snapshot. */
  final double compactRate;
  /**
   * Chance of a crash at one of the riskiest moments, the node coming back soon: right after persisting
   * and answering a vote, or while a leader that already sent its appends is still writing them.
   */
  final double targetedCrashRate;

  FaultProfile(double dropRate, double duplicateRate, double reorderRate, double partitionRate,
      double crashRate, double holdReadyRate, double compactRate, double targetedCrashRate) {
    this.dropRate = dropRate;
    this.duplicateRate = duplicateRate;
    this.reorderRate = reorderRate;
    this.partitionRate = partitionRate;
    this.crashRate = crashRate;
    this.holdReadyRate = holdReadyRate;
    this.compactRate = compactRate;
    this.targetedCrashRate = targetedCrashRate;
  }

  /** The profiles the randomized runs draw from. */
  static final FaultProfile[] RANDOMIZED = {CALM, LOSSY, PARTITIONS, CRASHES, CHAOS};
}
