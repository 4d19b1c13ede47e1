package io.raftkv.testkit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a bound passes. Tests wait for what they need rather than for a
 * time, so the bounds are generous: only a stuck cluster reaches them, a slow machine does not.
 */
public final class Waits {
  /** How often a condition is looked at again. */
  static final Duration POLL = Duration.ofMillis(20);

  private Waits() {}

  /**
   * The first value {@code probe} offers within {@code timeout}.
   *
   * @throws AssertionError with {@code failure}'s message if none comes in time
   */
  public static <T> T forValue(Duration timeout, Supplier<Optional<T>> probe, Supplier<String> failure)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> value = probe.get();
      if (value.isPresent()) {
        return value.get();
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError(failure.get());
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /**
   * Returns once {@code condition} holds.
   *
   * @throws AssertionError with {@code failure}'s message if it does not hold within {@code timeout}
   */
  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> failure)
      throws InterruptedException {
    forValue(timeout, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty(), failure);
  }
}
