package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Checks a history against a linearizable key-value store, key by key: linearizability is compositional
 * (Herlihy and Wing), so the history is linearizable exactly when each key's sub-history is, as a single
 * register that starts absent. Each key gets a {@link WglSearch} within a {@link SearchBudget}; a key
 * found not linearizable is shrunk to a small witness.
 */
public final class LinearizabilityChecker {
  /** How long shrinking one violation's witness may take by default. */
  public static final Duration DEFAULT_SHRINK_TIME = Duration.ofSeconds(10);

  private final SearchBudget budgetPerKey;
  private final Duration shrinkTimePerKey;

  /** A checker with {@link SearchBudget#DEFAULT} and {@link #DEFAULT_SHRINK_TIME}. */
  public LinearizabilityChecker() {
    this(SearchBudget.DEFAULT, DEFAULT_SHRINK_TIME);
  }

  public LinearizabilityChecker(SearchBudget budgetPerKey, Duration shrinkTimePerKey) {
    this.budgetPerKey = Objects.requireNonNull(budgetPerKey, "budgetPerKey");
    this.shrinkTimePerKey = Objects.requireNonNull(shrinkTimePerKey, "shrinkTimePerKey");
  }

  public CheckReport check(History history) {
    return check(history.operations());
  }

  /** Checks operations of any keys; every key is assumed absent when the history begins. */
  public CheckReport check(List<Operation> operations) {
    Map<ByteString, List<Operation>> byKey = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    for (Operation op : operations) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    List<KeyVerdict> verdicts = new ArrayList<>(byKey.size());
    byKey.forEach((key, ops) -> verdicts.add(checkKey(key, ops)));
    return new CheckReport(verdicts);
  }

  /** Checks the operations of one key, which is assumed absent when the history begins. */
  public KeyVerdict checkKey(ByteString key, List<Operation> operationsOfKey) {
    for (Operation op : operationsOfKey) {
      if (!op.key().equals(key)) {
        throw new IllegalArgumentException("operation " + op.id() + " is on key " + PrintableBytes.of(op.key())
            + ", not " + PrintableBytes.of(key));
      }
    }
    long start = System.nanoTime();
    List<RegisterOp> ops = SoundRemoval.withoutUnobservedOptionalWrites(RegisterEncoding.encode(operationsOfKey));
    Finding finding = find(ops);
    Duration searchTime = Duration.ofNanos(System.nanoTime() - start);
    List<Operation> witness = List.of();
    if (finding.verdict() == Verdict.NOT_LINEARIZABLE) {
      witness = sources(new Shrinker(budgetPerKey, shrinkTimePerKey).shrink(finding.failing(), finding.cutNanos()));
    }
    return new KeyVerdict(key, finding.verdict(), operationsOfKey.size(), finding.steps(), searchTime, witness,
        WitnessContext.related(witness, operationsOfKey));
  }

  /**
   * What the checker found: a verdict, the search steps it took, and for a violation a failing
   * sub-history with the time after which its operations are the first to try to shrink away.
   */
  private record Finding(Verdict verdict, long steps, List<RegisterOp> failing, long cutNanos) {}

  private Finding find(List<RegisterOp> ops) {
    Optional<List<RegisterOp>> unexplained = UnexplainedObservations.find(ops);
    if (unexplained.isPresent()) {
      return new Finding(Verdict.NOT_LINEARIZABLE, 0, unexplained.get(), Long.MAX_VALUE);
    }
    SearchResult result = WglSearch.run(ops, budgetPerKey);
    if (result.verdict() != Verdict.UNKNOWN) {
      return new Finding(result.verdict(), result.steps(), ops, result.furthestBlockNanos());
    }
    return LocalViolationFinder.find(ops, result.furthestBlockNanos(), budgetPerKey.share(4))
        .map(local -> new Finding(Verdict.NOT_LINEARIZABLE, result.steps(), local, Long.MAX_VALUE))
        .orElse(new Finding(Verdict.UNKNOWN, result.steps(), ops, result.furthestBlockNanos()));
  }

  private static List<Operation> sources(List<RegisterOp> ops) {
    return ops.stream().map(RegisterOp::source).toList();
  }
}
