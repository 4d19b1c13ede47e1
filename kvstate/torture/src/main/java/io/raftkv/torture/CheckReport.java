package io.raftkv.torture;

import java.util.List;

/** The checker's conclusion about a whole history: one verdict per key, in key order. */
public record CheckReport(List<KeyVerdict> keys) {

  public CheckReport {
    keys = List.copyOf(keys);
  }

  /** True only if every key was found linearizable (an undecided key is not a pass). */
  public boolean linearizable() {
    return keys.stream().allMatch(k -> k.verdict() == Verdict.LINEARIZABLE);
  }

  public List<KeyVerdict> violations() {
    return withVerdict(Verdict.NOT_LINEARIZABLE);
  }

  /** Keys whose search ran out of budget. */
  public List<KeyVerdict> undecided() {
    return withVerdict(Verdict.UNKNOWN);
  }

  private List<KeyVerdict> withVerdict(Verdict verdict) {
    return keys.stream().filter(k -> k.verdict() == verdict).toList();
  }

  /** The report as text for a person: a summary line, then each key, with a witness for each violation. */
  public String render() {
    return ReportFormatter.format(this);
  }

  @Override
  public String toString() {
    return render();
  }
}
