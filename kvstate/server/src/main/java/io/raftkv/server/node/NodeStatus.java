package io.raftkv.server.node;

import io.raftkv.api.Member;
import io.raftkv.raft.StateType;
import java.util.List;

/** A node's state as last published by its raft loop. */
public record NodeStatus(long nodeId, String clusterId, StateType role, long term, long commitIndex,
    long appliedIndex, long leaderId, long firstIndex, long lastIndex, List<Member> members, boolean removed) {

  /** The client address of the leader, or "" if unknown. */
  public String leaderClientAddress() {
    for (Member m : members) {
      if (m.getId() == leaderId) {
        return m.getClientAddress();
      }
    }
    return "";
  }
}
