package io.raftkv.raft;

import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfState;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The membership (voters and learners), the leader's progress for each member and the votes of the
 * current election. Sorted collections keep every iteration, and so every run, deterministic.
 */
final class ProgressTracker {
  private final NavigableSet<Long> voters = new TreeSet<>();
  private final NavigableSet<Long> learners = new TreeSet<>();
  private final NavigableMap<Long, Progress> progress = new TreeMap<>();
  private final Map<Long, Boolean> votes = new HashMap<>();
  private final MajorityQuorum quorum = new MajorityQuorum();
  private final int maxInflight;

  ProgressTracker(int maxInflight) {
    this.maxInflight = maxInflight;
  }

  NavigableSet<Long> voters() {
    return Collections.unmodifiableNavigableSet(voters);
  }

  NavigableSet<Long> learners() {
    return Collections.unmodifiableNavigableSet(learners);
  }

  NavigableMap<Long, Progress> progress() {
    return progress;
  }

  Progress get(long id) {
    return progress.get(id);
  }

  boolean isVoter(long id) {
    return voters.contains(id);
  }

  boolean isSingleton() {
    return voters.size() == 1;
  }

  ConfState confState() {
    return ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
  }

  /** Replaces the membership with {@code cs}, every member starting from a fresh progress. */
  void restore(ConfState cs, long lastIndex) {
    voters.clear();
    learners.clear();
    progress.clear();
    for (long id : cs.getVotersList()) {
      addVoter(id, lastIndex);
    }
    for (long id : cs.getLearnersList()) {
      if (!voters.contains(id)) {
        addLearner(id, lastIndex);
      }
    }
  }

  /** Applies one membership change; repeating one already in effect changes nothing. */
  void apply(ConfChange cc, long lastIndex) {
    long id = cc.getNodeId();
    if (id == 0) {
      return;
    }
    switch (cc.getChangeType()) {
      case AddNode -> addVoter(id, lastIndex);
      case AddLearnerNode -> addLearner(id, lastIndex);
      case RemoveNode -> {
        voters.remove(id);
        learners.remove(id);
        progress.remove(id);
      }
      default -> { } // UNRECOGNIZED: a change this version does not know; ignored
    }
  }

  private void addVoter(long id, long lastIndex) {
    learners.remove(id);
    voters.add(id);
    Progress pr = progress.get(id);
    if (pr == null) {
      progress.put(id, newProgress(lastIndex, false));
    } else {
      pr.setLearner(false);
    }
  }

  private void addLearner(long id, long lastIndex) {
    voters.remove(id);
    learners.add(id);
    Progress pr = progress.get(id);
    if (pr == null) {
      progress.put(id, newProgress(lastIndex, true));
    } else {
      pr.setLearner(true);
    }
  }

  private Progress newProgress(long lastIndex, boolean learner) {
    // Probe from the last index: a new member is most likely empty and will reject, and its hint then
    // moves the probe back quickly. Recently active, so CheckQuorum does not count it as lost at once.
    Progress pr = new Progress(0, Math.max(lastIndex, 1), maxInflight, learner);
    pr.setRecentActive(true);
    return pr;
  }

  /** Resets every member's progress, as a node does when its term or role changes. */
  void resetProgress(long selfId, long lastIndex) {
    for (Map.Entry<Long, Progress> e : progress.entrySet()) {
      Progress pr = new Progress(0, lastIndex + 1, maxInflight, e.getValue().isLearner());
      if (e.getKey() == selfId) {
        pr.setMatch(lastIndex);
      }
      e.setValue(pr);
    }
  }

  long committedIndex() {
    return quorum.committedIndex(voters, progress);
  }

  /** Whether a quorum of voters has been heard from recently (the leader counts itself). */
  boolean quorumActive(long selfId) {
    int active = 0;
    for (Long id : voters) {
      Progress pr = progress.get(id);
      if (id == selfId || (pr != null && pr.recentActive())) {
        active++;
      }
    }
    return active >= MajorityQuorum.majority(voters.size());
  }

  void resetVotes() {
    votes.clear();
  }

  /** Records a vote; the first vote of a node in an election counts. */
  void recordVote(long id, boolean granted) {
    votes.putIfAbsent(id, granted);
  }

  VoteResult tallyVotes() {
    return MajorityQuorum.voteResult(voters, votes);
  }

  int grantedVotes() {
    int granted = 0;
    for (Map.Entry<Long, Boolean> e : votes.entrySet()) {
      if (e.getValue() && voters.contains(e.getKey())) {
        granted++;
      }
    }
    return granted;
  }
}
