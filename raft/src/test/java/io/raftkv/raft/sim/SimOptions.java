package io.raftkv.raft.sim;

import java.util.Random;

/**
 * Everything one simulated run depends on. A randomized run's options are a pure function of its seed
 * ({@link #forSeed}), so re-running a seed re-runs exactly the same history.
 *
 * @param ticks length of the random fault phase, in logical ticks
 * @param extraNodes how many fresh node ids (beyond the founders) membership changes may add
 */
record SimOptions(long seed, int clusterSize, boolean preVote, boolean checkQuorum, FaultProfile profile,
    int ticks, int electionTick, int heartbeatTick, int maxInflightMsgs, long maxSizePerMsg, int extraNodes) {

  /**
   * Length range of the random phase of a randomized run, in ticks (an election timeout is 10 to 20
   * ticks). Tuned so that the default 300 seeds take well under a minute and the soak profile's 5000
   * seeds about a quarter of an hour on two cores.
   */
  static final int MIN_RANDOM_PHASE_TICKS = 5000;
  static final int MAX_RANDOM_PHASE_TICKS = 15000;

  /**
   * The options of randomized run {@code seed}: even seeds run 3 nodes, odd seeds 5 nodes; PreVote and
   * CheckQuorum are both on for seeds 0 and 1 modulo 4 and both off otherwise, so any range of seeds
   * splits evenly over the four combinations; the fault profile and flow-control limits are drawn
   * from the seed, and so is the length of the random phase.
   */
  static SimOptions forSeed(long seed) {
    Random r = new Random(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
    int size = Math.floorMod(seed, 2) == 0 ? 3 : 5;
    boolean guarded = Math.floorMod(seed, 4) < 2;
    FaultProfile profile = FaultProfile.RANDOMIZED[r.nextInt(FaultProfile.RANDOMIZED.length)];
    int[] inflight = {1, 2, 4, 16, 256};
    long[] msgSize = {0, 64, 512, 4096, 1024 * 1024};
    int ticks = MIN_RANDOM_PHASE_TICKS + r.nextInt(MAX_RANDOM_PHASE_TICKS - MIN_RANDOM_PHASE_TICKS + 1);
    return new SimOptions(seed, size, guarded, guarded, profile, ticks, 10, 1,
        inflight[r.nextInt(inflight.length)], msgSize[r.nextInt(msgSize.length)], 12);
  }

  /** Fault-free options for scripted scenarios. */
  static SimOptions scripted(long seed, int size, boolean preVoteAndCheckQuorum) {
    return new SimOptions(seed, size, preVoteAndCheckQuorum, preVoteAndCheckQuorum, FaultProfile.NONE, 0, 10, 1,
        256, 1024 * 1024, 2);
  }

  SimOptions withTicks(int randomPhaseTicks) {
    return new SimOptions(seed, clusterSize, preVote, checkQuorum, profile, randomPhaseTicks, electionTick,
        heartbeatTick, maxInflightMsgs, maxSizePerMsg, extraNodes);
  }

  /** Highest node id a run may use. */
  long maxNodeId() {
    return clusterSize + extraNodes;
  }

  String describe() {
    return clusterSize + " nodes, " + (preVote ? "PreVote" : "no PreVote") + "+"
        + (checkQuorum ? "CheckQuorum" : "no CheckQuorum") + ", profile " + profile + ", " + ticks
        + " ticks, maxInflight " + maxInflightMsgs + ", maxSizePerMsg " + maxSizePerMsg;
  }

  /** The command that re-runs exactly this randomized run, and only it. */
  String rerunCommand() {
    return "mvn -B -pl raft test -Dtest=RaftSimulationTest -Draftkv.sim.firstSeed=" + seed
        + " -Draftkv.sim.seeds=1";
  }
}
