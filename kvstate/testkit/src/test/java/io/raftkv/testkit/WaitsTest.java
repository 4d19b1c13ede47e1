package io.raftkv.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaitsTest {
  @Test
  void theFirstValueTheProbeOffersIsReturned() throws Exception {
    AtomicInteger looks = new AtomicInteger();
    String value = Waits.forValue(Duration.ofSeconds(30),
        () -> looks.incrementAndGet() < 3 ? Optional.empty() : Optional.of("found at look " + looks.get()),
        () -> "never found");
    assertThat(value).isEqualTo("found at look 3");
  }

  @Test
  void aConditionThatNeverHoldsFailsWithTheCallersMessageOnceTheBoundPasses() {
    AtomicInteger looks = new AtomicInteger();
    assertThatThrownBy(() -> Waits.until(Duration.ZERO, () -> {
      looks.incrementAndGet();
      return false;
    }, () -> "node 2 applied 4, expected at least 9"))
        .isInstanceOf(AssertionError.class).hasMessage("node 2 applied 4, expected at least 9");
    assertThat(looks).as("the condition was looked at before giving up").hasValueGreaterThanOrEqualTo(1);
  }

  @Test
  void aConditionThatHoldsReturnsWithoutAskingForTheFailureMessage() throws Exception {
    Waits.until(Duration.ofSeconds(30), () -> true, () -> {
      throw new IllegalStateException("the failure message is built only on failure");
    });
  }
}
