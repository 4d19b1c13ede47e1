package io.raftkv.certs;

import java.time.Duration;
import java.time.Instant;

/** When a certificate is valid: from {@code notBefore} to {@code notAfter}, both inclusive. */
public record Validity(Instant notBefore, Instant notAfter) {
  /** Back-dating the start this much lets a node whose clock runs a little behind accept a fresh certificate. */
  public static final Duration CLOCK_SKEW_ALLOWANCE = Duration.ofHours(1);

  public Validity {
    if (!notAfter.isAfter(notBefore)) {
      throw new IllegalArgumentException("a certificate's end " + notAfter + " must come after its start "
          + notBefore);
    }
  }

  /** Valid from a little before {@code now} for {@code days} days. */
  public static Validity days(Instant now, int days) {
    return new Validity(now.minus(CLOCK_SKEW_ALLOWANCE), now.plus(Duration.ofDays(days)));
  }
}
