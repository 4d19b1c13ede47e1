package io.raftkv.torture.rig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressGoalTest {
  @Test
  void goalIsReachedOnlyWhenBothFaultsAndAnsweredOperationsAreReached() {
    ProgressGoal goal = new ProgressGoal(3, 300, Duration.ofMinutes(1));
    assertThat(goal.reachedBy(2, 1000)).isFalse();
    assertThat(goal.reachedBy(3, 299)).isFalse();
    assertThat(goal.reachedBy(3, 300)).isTrue();
  }

  @Test
  void noGoalIsReachedAtOnce() {
    assertThat(ProgressGoal.NONE.reachedBy(0, 0)).isTrue();
  }

  @Test
  void negativeCountsAreRefusedNamingThem() {
    assertThatThrownBy(() -> new ProgressGoal(-1, 0, Duration.ZERO)).hasMessageContaining("-1 faults");
  }
}
