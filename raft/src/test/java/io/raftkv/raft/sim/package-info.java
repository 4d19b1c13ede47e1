/**
 * Deterministic fault-injection simulation of the Raft core, driven only through its public API.
 *
 * <p>{@link io.raftkv.raft.sim.SimCluster} runs a group of {@link io.raftkv.raft.sim.SimNode}s (each a
 * {@code RawNode} over a {@code MemoryStorage} it persists into as an application does) on a
 * {@link io.raftkv.raft.sim.SimNetwork} that delays, reorders, duplicates and loses messages and can be
 * partitioned. {@link io.raftkv.raft.sim.SimWorkload} drives proposals, reads, membership changes, leader
 * transfers, crashes (also in the middle of handling a Ready), restarts, partitions and compaction from a
 * seeded {@code java.util.Random}; {@link io.raftkv.raft.sim.InvariantChecker} checks election safety, log
 * matching, leader completeness, state machine safety, no duplicate application and linearizable read
 * indexes; {@link io.raftkv.raft.sim.Simulation} runs one seed, heals everything and requires liveness.
 *
 * <p>Run: {@code mvn -B -pl raft test -Dtest='io.raftkv.raft.sim.*Test'} (300 seeds from seed 1; set
 * {@code -Draftkv.sim.seeds=N -Draftkv.sim.firstSeed=S}, or {@code -Psoak} for 5000 seeds). A failing seed
 * prints the command that re-runs exactly that run:
 * {@code mvn -B -pl raft test -Dtest=RaftSimulationTest -Draftkv.sim.firstSeed=SEED -Draftkv.sim.seeds=1}.
 */
package io.raftkv.raft.sim;
