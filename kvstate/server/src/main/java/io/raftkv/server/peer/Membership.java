package io.raftkv.server.peer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.Error;
import io.raftkv.api.Member;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfChangeType;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.server.node.MembershipCheck;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.node.Transport;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's view of its group's members (loop thread only): checks a membership change or a leadership
 * transfer before the leader proposes it, applies committed changes to the member directory and the
 * transport's peers, and knows whether this peer was removed.
 */
final class Membership {
  private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

  private final long selfId;
  private final MemberDirectory directory;
  private final Transport transport;
  /** How recently a voter must have been heard from to count toward the quorum a change must keep. */
  private final long activityWindowNanos;
  private final PeerActivity activity = new PeerActivity();
  private boolean removed;

  Membership(long selfId, MemberDirectory directory, Transport transport, long activityWindowNanos) {
    this.selfId = selfId;
    this.directory = directory;
    this.transport = transport;
    this.activityWindowNanos = activityWindowNanos;
  }

  /** Points the transport at every member but this peer (at start). */
  void connectPeers() {
    connect(directory.all());
  }

  List<Member> all() {
    return directory.all();
  }

  Member get(long id) {
    return directory.get(id);
  }

  /** The refusal of a leader's request on this peer, naming the leader (and its client address) when known. */
  NodeException notLeader(long leaderId) {
    Member leader = directory.get(leaderId);
    String address = leader == null ? "" : leader.getClientAddress();
    String text = leaderId == 0
        ? "node " + selfId + " is not the leader and no leader is known yet; retry shortly"
        : "node " + selfId + " is not the leader; the leader is node " + leaderId
            + (address.isEmpty() ? "" : " at " + address);
    return new NodeException(Error.newBuilder().setCode(Error.Code.NOT_LEADER).setMessage(text)
        .setLeaderId(leaderId).setLeaderAddress(address).build());
  }

  /** Whether a committed change removed this peer from its group. */
  boolean selfRemoved() {
    return removed;
  }

  /** A message from {@code peer} arrived at {@code nowNanos}. */
  void heard(long peer, long nowNanos) {
    activity.heard(peer, nowNanos);
  }

  void learnClientAddress(long peer, String clientAddress) {
    directory.learnClientAddress(peer, clientAddress);
  }

  /** Why the leader must not propose {@code cc} with voters and learners {@code conf}, or null when it may. */
  NodeException refuseProposal(ConfChange cc, ConfState conf, long nowNanos) {
    long id = cc.getNodeId();
    if (cc.getChangeType() == ConfChangeType.RemoveNode && directory.get(id) == null
        && !conf.getVotersList().contains(id) && !conf.getLearnersList().contains(id)) {
      return NodeException.of(Error.Code.INVALID_ARGUMENT,
          "node " + id + " is not a member; members are " + directory.asMap().keySet());
    }
    String refusal = breaksCluster(cc, conf.getVotersList(), nowNanos);
    return refusal == null ? null : NodeException.of(Error.Code.INVALID_ARGUMENT, refusal);
  }

  /** Why the change {@code cc} would break the cluster, or null when it may be proposed. */
  private String breaksCluster(ConfChange cc, List<Long> voters, long nowNanos) {
    if (cc.getChangeType() == ConfChangeType.RemoveNode) {
      return MembershipCheck.refuseRemove(cc.getNodeId(), voters, heardSince(nowNanos));
    }
    Member member;
    try {
      member = Member.parseFrom(cc.getContext()).toBuilder().setId(cc.getNodeId()).build();
    } catch (InvalidProtocolBufferException e) {
      return "member " + cc.getNodeId() + ": its addresses are unreadable";
    }
    return MembershipCheck.refuseAdd(member, cc.getChangeType() == ConfChangeType.AddLearnerNode,
        directory.asMap(), voters, heardSince(nowNanos));
  }

  /** Why {@code transferee} cannot take leadership, being no voter, or null when it is one. */
  NodeException refuseTransferee(long transferee, ConfState conf) {
    List<Long> voters = conf.getVotersList();
    if (voters.contains(transferee)) {
      return null;
    }
    return NodeException.of(Error.Code.INVALID_ARGUMENT, "node " + transferee + " is not a voting member;"
        + " voters are " + new TreeSet<>(voters)
        + (directory.get(transferee) != null ? " (node " + transferee + " is a learner)" : ""));
  }

  /** Whether {@code id} was heard from within the activity window before {@code nowNanos} (this peer always is). */
  boolean heardRecently(long id, long nowNanos) {
    return heardSince(nowNanos).test(id);
  }

  /** The voters heard from recently enough to count toward a membership change's quorum. */
  Set<Long> recentlyHeardVoters(ConfState conf, long nowNanos) {
    LongPredicate heard = heardSince(nowNanos);
    return new TreeSet<>(conf.getVotersList().stream().filter(heard::test).toList());
  }

  private LongPredicate heardSince(long nowNanos) {
    long since = nowNanos - activityWindowNanos;
    return id -> id == selfId || activity.heardSince(id, since);
  }

  /**
   * Applies a committed change (raft has taken it already) to the directory and the transport's peers.
   * A removal of this peer marks it {@link #selfRemoved()}.
   */
  void apply(ConfChange cc) {
    long id = cc.getNodeId();
    switch (cc.getChangeType()) {
      case AddNode, AddLearnerNode -> {
        boolean learner = cc.getChangeType() == ConfChangeType.AddLearnerNode;
        Member member = memberAdded(cc, learner);
        if (member != null) {
          directory.put(member);
          if (id != selfId) {
            transport.setPeer(id, member.getPeerAddress());
          }
        }
      }
      case RemoveNode -> {
        directory.remove(id);
        if (id == selfId) {
          removed = true;
          LOG.warn("node {} was removed from the group; it stops", id);
        } else {
          transport.removePeer(id);
        }
      }
      default -> { }
    }
  }

  /** The member an add change names: from its context, else the known member with its new role. */
  private Member memberAdded(ConfChange cc, boolean learner) {
    long id = cc.getNodeId();
    Member known = directory.get(id);
    if (!cc.getContext().isEmpty()) {
      try {
        return Member.parseFrom(cc.getContext()).toBuilder().setId(id).setLearner(learner).build();
      } catch (InvalidProtocolBufferException ex) {
        LOG.warn("node {}: conf change for node {} carries no readable address", selfId, id);
        return known;
      }
    }
    return known == null ? null : known.toBuilder().setLearner(learner).build();
  }

  /** An installed snapshot's members replace the directory; the transport learns their addresses. */
  void adopt(List<Member> members) {
    directory.replaceAll(members);
    connect(members);
  }

  /** Adds the directory as it is now to {@code batch}. */
  void stage(WriteBatch batch) {
    directory.stage(batch);
  }

  private void connect(List<Member> members) {
    for (Member m : members) {
      if (m.getId() != selfId) {
        transport.setPeer(m.getId(), m.getPeerAddress());
      }
    }
  }
}
