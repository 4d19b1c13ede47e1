package io.raftkv.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations like 250ms, 10s, 2m, 1h, 7d. */
final class Durations {
  private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

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
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
    return d;
  }
}
