package io.raftkv.client;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Growing waits with jitter: the n-th wait is drawn from [d/2, d] where d = first * 2^n, capped at
 * {@code capMillis}. Pure but for the random source; one instance per call or stream (it counts its waits).
 */
final class Backoff {
  /** Draws from the calling thread's own random, so one instance serves waits computed on any thread. */
  static final RandomGenerator THREAD_LOCAL_JITTER = () -> ThreadLocalRandom.current().nextLong();

  private final long firstMillis;
  private final long capMillis;
  private final int maxDoublings;
  private final RandomGenerator random;
  private int waits;

  /**
   * @param maxDoublings doublings after which the wait stops growing (the cap may stop it sooner)
   */
  Backoff(long firstMillis, long capMillis, int maxDoublings, RandomGenerator random) {
    if (firstMillis < 1 || capMillis < firstMillis || maxDoublings < 0 || maxDoublings > 30) {
      throw new IllegalArgumentException("backoff first=" + firstMillis + " ms, cap=" + capMillis
          + " ms, doublings=" + maxDoublings + ": need 1 <= first <= cap and 0 <= doublings <= 30");
    }
    this.firstMillis = firstMillis;
    this.capMillis = capMillis;
    this.maxDoublings = maxDoublings;
    this.random = random;
  }

  /** The upper bound of the next wait, before jitter takes up to half of it away. */
  long nextCeilingMillis() {
    return Math.min(capMillis, firstMillis << Math.min(waits, maxDoublings));
  }

  /** Starts over from the first wait (after a success). */
  void reset() {
    waits = 0;
  }

  /** The next wait in milliseconds; each call counts as one more wait. */
  long nextMillis() {
    long millis = nextCeilingMillis();
    waits++;
    return millis / 2 + random.nextLong(millis / 2 + 1);
  }
}
