package io.raftkv.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations like 250ms, 10s, 2m, 1h, 7d. */
final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  /** The longest duration any option takes: ten years, far below what the clock can count. */
  static final Duration MAX = Duration.ofDays(3650);

  private Durations() {}

  static Duration parse(String option, String text) {
    Duration d = parseOrZero(option, text);
    if (d.isZero()) {
      throw new IllegalArgumentException(option + " is '" + text + "': it must be more than zero");
    }
    return d;
  }

  /** Like {@link #parse} but zero is allowed (an option where 0 means "no bound"). */
  static Duration parseOrZero(String option, String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " is '" + text + "': expected a number and a unit, e.g. 500ms, 10s, 2m, 1h, 7d");
    }
    String digits = m.group(1).replaceFirst("^0+(?=\\d)", "");
    // More than 12 digits is past ten years in any unit; refusing it first keeps the arithmetic exact.
    long n = digits.length() > 12 ? Long.MAX_VALUE : Long.parseLong(digits);
    Duration d = n == Long.MAX_VALUE ? null : switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    if (d == null || d.compareTo(MAX) > 0) {
      throw new IllegalArgumentException(option + " is '" + text + "': too long; at most 3650d (ten years)");
    }
    return d;
  }
}
