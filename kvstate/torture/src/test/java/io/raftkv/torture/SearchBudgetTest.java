package io.raftkv.torture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The search budget: when it runs out the verdict is UNKNOWN, never a guess. The history is a seeded
 * simulated one (one key, 300 operations, 8 clients) with one stale read: proving it not linearizable
 * takes the search about 4,700 steps, while the unbroken history needs about 300.
 */
class SearchBudgetTest {
  private static final RandomHistories.Shape SHAPE = new RandomHistories.Shape(1, 300, 8, 0.05, 0.02);
  private static final long SEED = 5;

  private static List<Operation> linearizable() {
    return RandomHistories.linearizable(SEED, SHAPE);
  }

  private static List<Operation> withStaleRead() {
    return ReadMutations.mutate(linearizable(), ReadMutations.Kind.STALE, new Random(SEED)).orElseThrow()
        .operations();
  }

  private static KeyVerdict check(List<Operation> ops, SearchBudget budget) {
    return new LinearizabilityChecker(budget, Duration.ofSeconds(5)).check(ops).keys().get(0);
  }

  @Test
  void exhaustedStepBudgetGivesUnknownRatherThanAGuess() {
    SearchBudget small = new SearchBudget(2_000, Duration.ofSeconds(30));
    KeyVerdict broken = check(withStaleRead(), small);
    assertThat(broken.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(broken.steps()).isEqualTo(2_001);
    assertThat(broken.witness()).isEmpty();
    assertThat(check(linearizable(), small).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(check(withStaleRead(), SearchBudget.DEFAULT).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void violationBeyondTheBudgetMayStillBeProvedInAWindowAroundWhereTheSearchStopped() {
    // Seed 1: the full search needs about 4,250 steps; a window before the stale read needs far fewer.
    List<Operation> linearizable = RandomHistories.linearizable(1, SHAPE);
    List<Operation> broken = ReadMutations.mutate(linearizable, ReadMutations.Kind.STALE, new Random(1))
        .orElseThrow().operations();
    KeyVerdict verdict = check(broken, new SearchBudget(2_000, Duration.ofSeconds(30)));
    assertThat(verdict.steps()).isEqualTo(2_001);
    assertThat(verdict.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(BruteForceLinearizability.isLinearizable(verdict.witness())).isFalse();
  }

  @Test
  void exhaustedTimeBudgetGivesUnknown() {
    KeyVerdict verdict = check(withStaleRead(), new SearchBudget(Long.MAX_VALUE, Duration.ofNanos(1)));
    assertThat(verdict.verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void undecidedKeyIsReportedAsSuchAndTheHistoryDoesNotPass() {
    CheckReport report = new LinearizabilityChecker(new SearchBudget(2_000, Duration.ofSeconds(30)),
        Duration.ofSeconds(5)).check(withStaleRead());
    assertThat(report.linearizable()).isFalse();
    assertThat(report.undecided()).hasSize(1);
    assertThat(report.violations()).isEmpty();
    assertThat(report.render())
        .startsWith("UNDECIDED: 1 keys, 300 operations; 0 linearizable, 0 not linearizable, 1 undecided")
        .contains("key \"key-0\": UNKNOWN (search budget exceeded: 300 operations, 2001 steps");
  }

  @Test
  void budgetMustBePositive() {
    assertThatThrownBy(() -> new SearchBudget(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSteps is 0");
    assertThatThrownBy(() -> new SearchBudget(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTime is PT0S");
  }
}
