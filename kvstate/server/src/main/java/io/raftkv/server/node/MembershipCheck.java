package io.raftkv.server.node;

import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfChangeType;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * The rules a membership change must pass before the leader proposes it, so that no change can break the
 * cluster: addresses it can parse, one id per member and one member per address, and (etcd's strict
 * reconfiguration check) a quorum of the new voters among the members heard from recently.
 */
public final class MembershipCheck {
  /** Longest host name (DNS) in an address. */
  static final int MAX_HOST_LENGTH = 253;

  private MembershipCheck() {}

  /**
   * Why adding {@code member} must be refused, or null when it may be proposed.
   *
   * @param members the members as applied, by id
   * @param voters the voters now
   * @param active whether a voter was heard from within the election timeout (the leader always is)
   */
  public static String refuseAdd(Member member, boolean learner, Map<Long, Member> members, Collection<Long> voters,
      LongPredicate active) {
    long id = member.getId();
    String problem = addressProblem("peer address", member.getPeerAddress());
    if (problem == null) {
      problem = addressProblem("client address", member.getClientAddress());
    }
    if (problem != null) {
      return "member " + id + ": " + problem;
    }
    Member known = members.get(id);
    if (known != null && !known.getPeerAddress().equals(member.getPeerAddress())) {
      return "node " + id + " is already a member, at " + known.getPeerAddress() + ", not "
          + member.getPeerAddress() + ": remove it first, or add the new node under a new id";
    }
    if (known != null && learner && !known.getLearner()) {
      return "node " + id + " is already a voter; a voter cannot be made a learner";
    }
    for (Member other : members.values()) {
      if (other.getId() != id && other.getPeerAddress().equals(member.getPeerAddress())) {
        return "peer address " + member.getPeerAddress() + " is already member " + other.getId()
            + "'s: each member needs its own";
      }
    }
    if (learner || voters.contains(id)) {
      return null; // the voters do not change
    }
    Set<Long> after = new TreeSet<>(voters);
    after.add(id);
    return quorumProblem("adding node " + id, after, active);
  }

  /** Why removing {@code id} must be refused, or null when it may be proposed. */
  public static String refuseRemove(long id, Collection<Long> voters, LongPredicate active) {
    if (!voters.contains(id)) {
      return null; // a learner: the voters do not change
    }
    Set<Long> after = new TreeSet<>(voters);
    after.remove(id);
    if (after.isEmpty()) {
      return "removing node " + id + " would leave no voter";
    }
    return quorumProblem("removing node " + id, after, active);
  }

  private static String quorumProblem(String change, Set<Long> after, LongPredicate active) {
    List<Long> up = after.stream().filter(active::test).toList();
    int quorum = after.size() / 2 + 1;
    if (up.size() >= quorum) {
      return null;
    }
    List<Long> down = after.stream().filter(v -> !active.test(v)).toList();
    return change + " would leave " + after.size() + " voters " + after + " needing " + quorum + " for a quorum,"
        + " but only " + up.size() + " " + up + " were heard from within the last election timeout (not heard: "
        + down + "); bring the missing members back first (or remove a dead one before adding its replacement)";
  }

  /** What is wrong with {@code address} as host:port, or null when it is fine. */
  public static String addressProblem(String what, String address) {
    if (address.isBlank()) {
      return "no " + what + " (host:port)";
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      return what + " '" + address + "' is not host:port";
    }
    String host = address.substring(0, colon);
    if (host.length() > MAX_HOST_LENGTH || !host.chars().allMatch(c -> c > ' ' && c < 127)) {
      return what + " '" + address + "' has a host that is not a host name or IP address";
    }
    String port = address.substring(colon + 1);
    int value;
    try {
      value = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      return what + " '" + address + "' has port '" + port + "': expected a number 1-65535";
    }
    if (value < 1 || value > 65535) {
      return what + " '" + address + "' has port " + value + ": expected 1-65535";
    }
    return null;
  }
}
