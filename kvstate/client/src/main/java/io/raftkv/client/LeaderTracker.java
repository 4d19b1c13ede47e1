package io.raftkv.client;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which endpoint a try goes to: the leader a node named, if any, for calls that need the leader; else
 * the endpoints in turn. Thread-safe; shared by the calls of one client.
 */
final class LeaderTracker {
  private final List<String> endpoints;
  private final AtomicLong roundRobin = new AtomicLong();
  private volatile String leaderAddress;

  LeaderTracker(List<String> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints given: list at least one node as host:port");
    }
    this.endpoints = List.copyOf(endpoints);
  }

  /** Where the next try goes: the known leader if {@code leaderOnly} and one is known, else the next endpoint. */
  String target(boolean leaderOnly) {
    String leader = leaderAddress;
    return leaderOnly && leader != null ? leader : nextEndpoint();
  }

  /** The next endpoint in turn, whoever leads. */
  String nextEndpoint() {
    return endpoints.get(Math.floorMod(roundRobin.getAndIncrement(), endpoints.size()));
  }

  /** The leader's client address if a node named it since the last failover sign, else null. */
  String leader() {
    return leaderAddress;
  }

  /** Follows a named leader, forgets it on a failover sign, else keeps it. */
  void learn(LeaderNews news) {
    if (news instanceof LeaderNews.At at) {
      leaderAddress = at.address();
    } else if (news instanceof LeaderNews.Unknown) {
      leaderAddress = null;
    }
  }
}
