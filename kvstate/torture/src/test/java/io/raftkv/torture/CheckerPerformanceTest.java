package io.raftkv.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Histories of the size a torture run records must be decided, not given up on: these must finish (no
 * timing is asserted; together they take a few seconds) with every key decided.
 */
class CheckerPerformanceTest {
  private static final LinearizabilityChecker CHECKER = new LinearizabilityChecker();

  @Test
  void twentyKeysOfFiveHundredOperationsAtTenClientsEach() {
    List<Operation> ops = RandomHistories.linearizable(11, new RandomHistories.Shape(20, 500, 10, 0.05, 0.02));
    CheckReport report = CHECKER.check(ops);
    assertThat(report.linearizable()).as(report.render()).isTrue();

    List<Operation> broken =
        ReadMutations.mutate(ops, ReadMutations.Kind.STALE, new Random(11)).orElseThrow().operations();
    assertThat(CHECKER.check(broken).violations()).hasSize(1);
  }

  @Test
  void tenKeysOfTwoThousandReadsWritesAndCompareAndSetsAtSixteenClientsEach() {
    RandomHistories.Shape shape =
        new RandomHistories.Shape(10, 2000, 16, 0.05, 0.02, RandomHistories.Mix.READ_WRITE_CAS);
    CheckReport report = CHECKER.check(RandomHistories.linearizable(12, shape));
    assertThat(report.linearizable()).as(report.render()).isTrue();
  }
}
