package io.raftkv.raft;

/** Volatile state worth telling the application about: who leads (0 for none) and this node's role. */
public record SoftState(long lead, StateType raftState) {}
