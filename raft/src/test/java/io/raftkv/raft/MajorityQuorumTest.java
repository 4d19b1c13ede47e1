package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Unit tests of {@link MajorityQuorum}: the committed index and election results over a voter set. */
class MajorityQuorumTest {

  private static NavigableSet<Long> voters(long... ids) {
    TreeSet<Long> set = new TreeSet<>();
    for (long id : ids) {
      set.add(id);
    }
    return set;
  }

  /** Progress of voters 1..n with the given matches, in order. */
  private static Map<Long, Progress> matches(long... match) {
    Map<Long, Progress> progress = new TreeMap<>();
    for (int i = 0; i < match.length; i++) {
      progress.put((long) i + 1, new Progress(match[i], match[i] + 1, 1, false));
    }
    return progress;
  }

  private static NavigableSet<Long> firstN(int n) {
    TreeSet<Long> set = new TreeSet<>();
    for (long id = 1; id <= n; id++) {
      set.add(id);
    }
    return set;
  }

  private static long committed(long... match) {
    return new MajorityQuorum().committedIndex(firstN(match.length), matches(match));
  }

  @ParameterizedTest(name = "{0} voters -> majority {1}")
  @CsvSource({"1, 1", "2, 2", "3, 2", "4, 3", "5, 3", "6, 4", "7, 4"})
  void majorityIsMoreThanHalfOfTheVoters(int voters, int majority) {
    assertThat(MajorityQuorum.majority(voters)).isEqualTo(majority);
  }

  @Test
  void committedIndexIsTheMedianOfVoterMatches() {
    assertThat(committed(2, 5, 9)).isEqualTo(5);
    assertThat(committed(9, 2, 5)).as("order of voters does not matter").isEqualTo(5);
    assertThat(committed(5, 5, 1)).isEqualTo(5);
    assertThat(committed(1, 2, 3, 4, 5)).isEqualTo(3);
    assertThat(committed(10, 0, 7, 0, 8)).isEqualTo(7);
  }

  @Test
  void committedIndexWithAnEvenNumberOfVotersNeedsMoreThanHalf() {
    assertThat(committed(3, 7)).as("both of two").isEqualTo(3);
    assertThat(committed(1, 2, 3, 4)).as("three of four").isEqualTo(2);
    assertThat(committed(4, 4, 1, 1)).isEqualTo(1);
    assertThat(committed(1, 5, 5, 5, 9, 9)).as("four of six").isEqualTo(5);
  }

  @Test
  void committedIndexOfASingleVoterIsItsMatch() {
    assertThat(committed(7)).isEqualTo(7);
    assertThat(committed(0)).isZero();
  }

  @Test
  void committedIndexOfAnEmptyVoterSetIsZero() {
    assertThat(new MajorityQuorum().committedIndex(voters(), matches(5, 5, 5))).isZero();
  }

  @Test
  void committedIndexIgnoresLearnersAndOtherNonVoters() {
    Map<Long, Progress> progress = matches(1, 1, 5);
    progress.put(4L, new Progress(100, 101, 1, true));
    progress.put(5L, new Progress(100, 101, 1, true));

    assertThat(new MajorityQuorum().committedIndex(voters(1, 2, 3), progress)).isEqualTo(1);
  }

  @Test
  void committedIndexCountsAVoterWithoutProgressAsZero() {
    Map<Long, Progress> progress = matches(6, 6);

    assertThat(new MajorityQuorum().committedIndex(voters(1, 2, 3), progress)).isEqualTo(6);
    assertThat(new MajorityQuorum().committedIndex(voters(1, 2, 3, 4), progress)).isZero();
  }

  @Test
  void committedIndexIsRightWhenTheVoterCountChangesBetweenCalls() {
    MajorityQuorum quorum = new MajorityQuorum();

    assertThat(quorum.committedIndex(firstN(5), matches(9, 9, 9, 9, 9))).isEqualTo(9);
    assertThat(quorum.committedIndex(firstN(3), matches(1, 2, 3))).as("leftover scratch is not read")
        .isEqualTo(2);
    assertThat(quorum.committedIndex(firstN(1), matches(4))).isEqualTo(4);
    assertThat(quorum.committedIndex(firstN(7), matches(1, 2, 3, 4, 5, 6, 7))).isEqualTo(4);
    assertThat(quorum.committedIndex(firstN(2), matches(0, 0))).isZero();
  }

  @Test
  void committedIndexAgreesWithCountingOverManyRandomConfigurations() {
    java.util.Random random = new java.util.Random(7);
    MajorityQuorum quorum = new MajorityQuorum();
    for (int round = 0; round < 500; round++) {
      int n = 1 + random.nextInt(9);
      long[] match = new long[n];
      for (int i = 0; i < n; i++) {
        match[i] = random.nextInt(20);
      }
      // The largest index that at least a majority has reached, by brute force.
      long expected = 0;
      for (long candidate = 0; candidate < 20; candidate++) {
        long c = candidate;
        long reached = Arrays.stream(match).filter(m -> m >= c).count();
        if (reached >= n / 2 + 1) {
          expected = candidate;
        }
      }

      assertThat(quorum.committedIndex(firstN(n), matches(match))).as("matches %s", Arrays.toString(match))
          .isEqualTo(expected);
    }
  }

  @Test
  void voteResultOfAnEmptyVoterSetIsWon() {
    assertThat(MajorityQuorum.voteResult(voters(), Map.of())).isEqualTo(VoteResult.WON);
  }

  @Test
  void aSingleVoterWinsWithItsOwnVoteAndLosesWithoutIt() {
    assertThat(MajorityQuorum.voteResult(voters(1), Map.of(1L, true))).isEqualTo(VoteResult.WON);
    assertThat(MajorityQuorum.voteResult(voters(1), Map.of(1L, false))).isEqualTo(VoteResult.LOST);
    assertThat(MajorityQuorum.voteResult(voters(1), Map.of())).isEqualTo(VoteResult.PENDING);
  }

  /** Votes as a string over voters 1..n: y granted, n rejected, _ not yet heard. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "yy_, WON",
      "y__, PENDING",
      "yn_, PENDING",
      "ynn, LOST",
      "n__, PENDING",
      "nn_, LOST",
      "yyn, WON",
      "yy__, PENDING", // two of four is not a majority
      "yynn, LOST",
      "yyy_, WON",
      "yyn_, PENDING",
      "yy___, PENDING",
      "yyy__, WON",
      "ynnn_, LOST",
      "yynn_, PENDING",
  })
  void voteResultNeedsAMajorityOfGrantsAndLosesOnceOneIsOutOfReach(String votes, VoteResult expected) {
    Map<Long, Boolean> recorded = new HashMap<>();
    for (int i = 0; i < votes.length(); i++) {
      char c = votes.charAt(i);
      if (c != '_') {
        recorded.put((long) i + 1, c == 'y');
      }
    }

    assertThat(MajorityQuorum.voteResult(firstN(votes.length()), recorded)).isEqualTo(expected);
  }

  @Test
  void votesFromNonVotersAreNotCounted() {
    Map<Long, Boolean> votes = Map.of(1L, true, 4L, true, 5L, true);

    assertThat(MajorityQuorum.voteResult(voters(1, 2, 3), votes)).isEqualTo(VoteResult.PENDING);
  }

  @Test
  void rejectionsFromNonVotersAreNotCounted() {
    Map<Long, Boolean> votes = Map.of(1L, true, 2L, true, 4L, false, 5L, false, 6L, false);

    assertThat(MajorityQuorum.voteResult(voters(1, 2, 3), votes)).isEqualTo(VoteResult.WON);
  }
}
