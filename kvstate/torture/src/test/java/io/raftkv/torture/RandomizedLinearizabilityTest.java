package io.raftkv.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Seeded random histories: simulated linearizable stores must pass, the same histories with one read made
 * wrong must fail on that read's key, and tiny random histories must get the brute-force oracle's verdict.
 * A failure names its seed.
 */
class RandomizedLinearizabilityTest {
  private static final RandomHistories.Shape SMALL = new RandomHistories.Shape(2, 60, 5, 0.1, 0.05);
  private static final LinearizabilityChecker CHECKER = new LinearizabilityChecker();

  @Test
  void simulatedLinearizableStoresPass() {
    for (long seed = 0; seed < 300; seed++) {
      CheckReport report = CHECKER.check(RandomHistories.linearizable(seed, SMALL));
      assertThat(report.linearizable()).as("seed %d:%n%s", seed, report.render()).isTrue();
    }
  }

  @Test
  void simulatedStoresWithManyTimeoutsPass() {
    RandomHistories.Shape flaky = new RandomHistories.Shape(1, 80, 8, 0.3, 0.1);
    for (long seed = 0; seed < 100; seed++) {
      CheckReport report = CHECKER.check(RandomHistories.linearizable(seed, flaky));
      assertThat(report.linearizable()).as("seed %d:%n%s", seed, report.render()).isTrue();
    }
  }

  @Test
  void readOfNeverWrittenValueIsCaught() {
    assertMutationsCaught(ReadMutations.Kind.NEVER_WRITTEN);
  }

  @Test
  void readFromTheFutureIsCaught() {
    assertMutationsCaught(ReadMutations.Kind.FROM_THE_FUTURE);
  }

  @Test
  void staleReadIsCaught() {
    assertMutationsCaught(ReadMutations.Kind.STALE);
  }

  private static void assertMutationsCaught(ReadMutations.Kind kind) {
    int mutated = 0;
    for (long seed = 0; seed < 150; seed++) {
      List<Operation> history = RandomHistories.linearizable(seed, SMALL);
      Optional<ReadMutations.Mutated> broken = ReadMutations.mutate(history, kind, new Random(seed));
      if (broken.isEmpty()) {
        continue;
      }
      mutated++;
      Operation changed = broken.get().changed();
      CheckReport report = CHECKER.check(broken.get().operations());
      assertThat(report.violations()).as("seed %d, %s read #%d:%n%s", seed, kind, changed.id(), report.render())
          .extracting(KeyVerdict::key).containsExactly(changed.key());
      KeyVerdict violation = report.violations().get(0);
      assertThat(violation.witness()).as("seed %d: the witness holds the changed read", seed).contains(changed);
      assertThat(violation.witness()).as("seed %d: the witness is small", seed).hasSizeLessThanOrEqualTo(6);
      assertThat(BruteForceLinearizability.isLinearizable(violation.witness()))
          .as("seed %d: the witness alone is not linearizable:%n%s", seed, report.render()).isFalse();
    }
    assertThat(mutated).as("histories that could be mutated").isGreaterThan(100);
  }

  @Test
  void tinyRandomHistoriesGetTheBruteForceVerdict() {
    assertBruteForceVerdicts(seed -> RandomHistories.arbitrary(seed, 7), 4000);
  }

  @Test
  void perturbedSimulatedHistoriesGetTheBruteForceVerdict() {
    assertBruteForceVerdicts(seed -> RandomHistories.perturbed(seed, 14, 4), 2000);
  }

  private static void assertBruteForceVerdicts(LongFunction<List<Operation>> histories, int seeds) {
    int linearizable = 0;
    for (long seed = 0; seed < seeds; seed++) {
      List<Operation> history = histories.apply(seed);
      boolean expected = BruteForceLinearizability.isLinearizable(history);
      KeyVerdict verdict = CHECKER.check(history).keys().get(0);
      assertThat(verdict.verdict()).as("seed %d:%n%s", seed, ReportFormatter.witness(history))
          .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
      if (expected) {
        linearizable++;
      } else {
        Set<Long> ids = history.stream().map(Operation::id).collect(Collectors.toSet());
        assertThat(verdict.witness()).as("seed %d: witness is a sub-history", seed)
            .allMatch(op -> ids.contains(op.id()));
        assertThat(BruteForceLinearizability.isLinearizable(verdict.witness()))
            .as("seed %d: the witness alone is not linearizable", seed).isFalse();
      }
    }
    // Both verdicts must be well represented for the comparison to mean anything.
    assertThat(linearizable).isBetween(seeds / 5, seeds * 4 / 5);
  }
}
