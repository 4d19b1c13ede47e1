package io.raftkv.raft;

import java.util.Arrays;
import java.util.Map;
import java.util.NavigableSet;

/** Majority arithmetic over a set of voters: the committed index and the result of a vote. */
final class MajorityQuorum {
  /** Reused across calls: the leader computes the committed index on every acknowledgement. */
  private long[] scratch = new long[0];

  static int majority(int voters) {
    return voters / 2 + 1;
  }

  /**
   * The highest index that a majority of {@code voters} has acknowledged, by their {@code match};
   * 0 for an empty voter set (nothing can be committed without voters).
   */
  long committedIndex(NavigableSet<Long> voters, Map<Long, Progress> progress) {
    int n = voters.size();
    if (n == 0) {
      return 0;
    }
    if (scratch.length < n) {
      scratch = new long[n];
    }
    int i = 0;
    for (Long id : voters) {
      Progress pr = progress.get(id);
      scratch[i++] = pr == null ? 0 : pr.match();
    }
    Arrays.sort(scratch, 0, n);
    // Ascending order: the element at n - majority is acknowledged by a majority.
    return scratch[n - majority(n)];
  }

  /** The election result given the votes recorded so far (true = granted). */
  static VoteResult voteResult(NavigableSet<Long> voters, Map<Long, Boolean> votes) {
    if (voters.isEmpty()) {
      return VoteResult.WON;
    }
    int granted = 0;
    int missing = 0;
    for (Long id : voters) {
      Boolean vote = votes.get(id);
      if (vote == null) {
        missing++;
      } else if (vote) {
        granted++;
      }
    }
    int q = majority(voters.size());
    if (granted >= q) {
      return VoteResult.WON;
    }
    if (granted + missing >= q) {
      return VoteResult.PENDING;
    }
    return VoteResult.LOST;
  }
}
