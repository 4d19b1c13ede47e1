package io.raftkv.torture.rig;

import io.raftkv.torture.History;
import io.raftkv.torture.HistoryFile;
import io.raftkv.torture.Operation;
import io.raftkv.torture.Outcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One torture run: makes the cluster's certificates (unless --insecure), starts the cluster, runs the workload and
 * the nemesis for the run's duration, heals everything, checks the outcome and prints the summary. The history,
 * the nemesis log, the node logs and the certificates stay in the run's directory when it fails or when asked to
 * keep them.
 */
public final class TortureRun {
  /** How long the workload keeps going on the healed cluster, so the history ends calm. */
  private static final long CALM_MILLIS = 2_000;

  /** How often a run past its duration looks whether its progress goal is reached. */
  private static final long GOAL_POLL_MILLIS = 200;

  private final TortureOptions options;
  private final ProgressGoal goal;
  private final PrintStream out;

  public TortureRun(TortureOptions options, PrintStream out) {
    this(options, ProgressGoal.NONE, out);
  }

  /** A run that goes on past its duration (up to the goal's limit) until the goal is reached. */
  public TortureRun(TortureOptions options, ProgressGoal goal, PrintStream out) {
    this.options = options;
    this.goal = goal;
    this.out = out;
  }

  /** What a run found and did, for a caller that runs many (the long run). */
  public record Summary(boolean passed, int operations, int ok, int failed, int unknown,
      Map<FaultKind, Integer> faults, int keysChecked, int violations, long millis) {}

  public Summary run() throws IOException, InterruptedException {
    long start = System.nanoTime();
    Path dir = options.dir();
    Files.createDirectories(dir);
    RigSecurity security = options.insecure() ? RigSecurity.plaintext() : RigSecurity.tls(dir.resolve("certs"));
    out.println("torture: seed " + options.seed() + ", " + options.nodes() + " nodes, " + options.clients()
        + " clients, " + options.keys() + " keys, " + options.duration().toSeconds() + " s, faults "
        + (options.faults().isEmpty() ? "none"
            : String.join(",", options.faults().stream().sorted().map(FaultKind::flag).toList()))
        + ", " + security.describe() + ", files in " + dir);
    History history = new History();
    ValueLedger ledger = new ValueLedger();
    FinalChecks.Result result;
    Nemesis nemesis;
    try (ClusterProcesses cluster = ClusterProcesses.start(dir, options.nodes(), options.tickMs(), security);
        Workload workload = new Workload(history, ledger, cluster.endpoints(), cluster.clients(), options.clients(),
            options.keys(), options.seed())) {
      nemesis = new Nemesis(cluster, ledger, options.faults(), options.seed());
      Thread nemesisThread = new Thread(nemesis, "torture-nemesis");
      workload.start();
      nemesisThread.start();
      Thread.sleep(options.duration().toMillis());
      awaitGoal(nemesis, history);
      nemesis.stop();
      nemesisThread.join();
      cluster.healAll();
      Thread.sleep(CALM_MILLIS);
      workload.stop();
      try {
        result = FinalChecks.run(cluster, workload, history, options.clients());
      } finally {
        HistoryFile.write(history, dir.resolve("history.txt"));
        Files.write(dir.resolve("nemesis.log"), nemesis.log());
      }
    }
    Summary summary = summarize(history, nemesis, result, System.nanoTime() - start);
    print(result, nemesis, summary);
    if (summary.passed() && !options.keep()) {
      deleteTree(dir);
    }
    return summary;
  }

  /** Lets the faults and the workload go on until the goal is reached or its limit has passed. */
  private void awaitGoal(Nemesis nemesis, History history) throws InterruptedException {
    long until = System.nanoTime() + goal.limit().toNanos();
    while (!goal.reachedBy(totalFaults(nemesis), answered(history))) {
      if (System.nanoTime() >= until) {
        out.println("torture: the progress goal (" + goal.faults() + " faults, " + goal.answeredOperations()
            + " answered operations) was not reached within " + goal.limit().toSeconds() + " s past the duration");
        return;
      }
      Thread.sleep(GOAL_POLL_MILLIS);
    }
  }

  private static int totalFaults(Nemesis nemesis) {
    return nemesis.injected().values().stream().mapToInt(Integer::intValue).sum();
  }

  private static int answered(History history) {
    int ok = 0;
    for (Operation op : history.operations()) {
      if (isAnswered(op)) {
        ok++;
      }
    }
    return ok;
  }

  private static boolean isAnswered(Operation op) {
    return !(op.outcome() instanceof Outcome.Unknown) && !(op.outcome() instanceof Outcome.Failed);
  }

  private Summary summarize(History history, Nemesis nemesis, FinalChecks.Result result, long nanos) {
    List<Operation> ops = history.operations();
    int ok = 0;
    int failed = 0;
    int unknown = 0;
    for (Operation op : ops) {
      if (op.outcome() instanceof Outcome.Unknown) {
        unknown++;
      } else if (op.outcome() instanceof Outcome.Failed) {
        failed++;
      } else {
        ok++;
      }
    }
    return new Summary(result.findings().clean(), ops.size(), ok, failed, unknown, nemesis.injected(),
        result.report().keys().size(), result.findings().violations().size(), nanos / 1_000_000);
  }

  private void print(FinalChecks.Result result, Nemesis nemesis, Summary s) {
    if (!result.report().violations().isEmpty()) {
      out.println(result.report().render());
    }
    out.println();
    out.println("==== torture summary (seed " + options.seed() + ") ====");
    out.printf("operations: %d (%d ok, %d failed, %d unknown) in %.1f s%n", s.operations(), s.ok(), s.failed(),
        s.unknown(), s.millis() / 1000.0);
    StringBuilder faults = new StringBuilder();
    s.faults().forEach((kind, n) -> faults.append(faults.length() == 0 ? "" : ", ").append(kind.flag()).append(' ').append(n));
    out.println("faults injected: " + (faults.length() == 0 ? "none" : faults)
        + (nemesis.errors() == 0 ? "" : " (" + nemesis.errors() + " nemesis steps refused, see nemesis.log)"));
    out.printf("checked: %d keys (%d linearizable, %d not, %d undecided), %d change events on every node through"
        + " index %d%n", s.keysChecked(), s.keysChecked() - result.report().violations().size()
        - result.report().undecided().size(), result.report().violations().size(), result.report().undecided().size(),
        result.feedEvents(), result.lastIndex());
    if (s.passed()) {
      out.println("verdict: PASS: linearizable, no acknowledged write lost, none applied twice, feeds and states"
          + " identical on every node");
    } else {
      out.println("verdict: FAIL: " + s.violations() + " violation(s):");
      result.findings().violations().forEach(v -> out.println("  - " + v));
      out.println("files: " + options.dir() + " (history.txt, nemesis.log, node-*.log)");
    }
    out.println("re-run: " + options.rerunCommand());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
