package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Growing waits with jitter between half and all of the current ceiling. */
class BackoffTest {
  @Test
  void waitsStayWithinHalfToAllOfADoublingCeiling() {
    for (long seed = 0; seed < 50; seed++) {
      Backoff backoff = new Backoff(10, 500, 6, new Random(seed));
      long ceiling = 10;
      for (int i = 0; i < 10; i++) {
        assertThat(backoff.nextCeilingMillis()).isEqualTo(ceiling);
        assertThat(backoff.nextMillis()).as("seed " + seed + " wait " + i).isBetween(ceiling / 2, ceiling);
        ceiling = Math.min(500, ceiling * 2);
      }
    }
  }

  @Test
  void doublingStopsAfterItsCountEvenBelowTheCap() {
    Backoff backoff = new Backoff(10, 10_000, 2, new Random(1));
    for (int i = 0; i < 5; i++) {
      backoff.nextMillis();
    }
    assertThat(backoff.nextCeilingMillis()).isEqualTo(40);
  }

  @Test
  void aResetStartsOverFromTheFirstWait() {
    Backoff backoff = new Backoff(20, 1000, 6, new Random(3));
    for (int i = 0; i < 4; i++) {
      backoff.nextMillis();
    }
    assertThat(backoff.nextCeilingMillis()).isEqualTo(320);
    backoff.reset();
    assertThat(backoff.nextCeilingMillis()).isEqualTo(20);
    assertThat(backoff.nextMillis()).isBetween(10L, 20L);
  }

  @Test
  void jitterReachesBothEndsOfTheRange() {
    Backoff backoff = new Backoff(4, 4, 0, new Random(7));
    boolean low = false;
    boolean high = false;
    for (int i = 0; i < 200 && !(low && high); i++) {
      long wait = backoff.nextMillis();
      low |= wait == 2;
      high |= wait == 4;
    }
    assertThat(low && high).as("waits of 2 and 4 ms both drawn").isTrue();
  }

  @Test
  void badBoundsAreRefusedNamingThem() {
    assertThatThrownBy(() -> new Backoff(0, 10, 1, new Random())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("first=0");
    assertThatThrownBy(() -> new Backoff(20, 10, 1, new Random())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cap=10");
  }
}
