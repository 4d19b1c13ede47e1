package io.raftkv.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * compare-etcd: RaftKV beside etcd on this machine. Each round starts a 3-member etcd cluster, measures it,
 * stops it, then does the same with a 3-node RaftKV cluster (never both at once), and prints both
 * systems' throughput and latency at each level and the ratios.
 */
@Command(name = "compare-etcd", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Runs the same closed-loop workload against a 3-member etcd cluster (through jetcd) and a 3-node",
        "RaftKV cluster (through its Java client), in turn, on loopback: puts of 16-byte keys and 256-byte",
        "values and linearizable gets of existing keys, at each level of requests in flight.",
        "Exit codes: 0 done, 1 a run failed, 2 bad command line, 3 a system did not start."})
public final class CompareEtcd implements Callable<Integer> {
  static final int EXIT_RUN_FAILED = 1;
  static final int EXIT_START_FAILED = 3;
  private static final int MAX_IN_FLIGHT = 4096;
  private static final int MAX_ROUNDS = 100;
  private static final int MAX_KEYS = 10_000_000;
  private static final Duration MAX_DURATION = Duration.ofHours(1);
  /** Requests in flight while every key is written once before the measured runs. */
  private static final int PRELOAD_IN_FLIGHT = 64;

  @Spec
  CommandSpec spec;

  @Option(names = "--duration", defaultValue = "20s", converter = DurationConverter.class,
      description = "Measured time of each level and operation (default: ${DEFAULT-VALUE}).")
  Duration duration;

  // A fresh RaftKV server's JIT compilers stay busy for about a minute of load (docs/benchmarks.md); etcd,
  // a Go binary, needs none, but gets the same warm-up so both are measured the same way.
  @Option(names = "--warmup", defaultValue = "60s", converter = DurationConverter.class,
      description = "Unmeasured load after each cluster starts, half puts, half gets, at the highest level"
          + " (default: ${DEFAULT-VALUE}; 0s for none).")
  Duration warmup;

  @Option(names = "--rounds", defaultValue = "2",
      description = "Rounds, each etcd then RaftKV (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,16,64,256",
      description = "Requests in flight, one measured run per value and operation (default: ${DEFAULT-VALUE}).")
  int[] concurrency;

  @Option(names = "--keys", defaultValue = "10000",
      description = "Distinct keys, all written before the measured runs (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--etcd", defaultValue = "etcd",
      description = "The etcd binary, a path or a name on the PATH (default: ${DEFAULT-VALUE}).")
  String etcd;

  @Option(names = "--raftkv-launcher", defaultValue = "${sys:raftkv.launcher:-deploy/bin/raftkv}",
      description = "The RaftKV launcher that runs 'raftkv server' (default: ${DEFAULT-VALUE}).")
  Path raftkvLauncher;

  @Option(names = "--work-dir",
      description = "Where the clusters keep data and logs (default: a new temporary directory).")
  Path workDir;

  @Option(names = "--keep-work-dir", description = "Keep the members' logs after a successful run.")
  boolean keepWorkDir;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new CompareEtcd());
  }

  @Override
  public Integer call() throws Exception {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!EtcdCluster.installed(etcd)) {
      err.println("compare-etcd: etcd did not start: no executable '" + etcd + "' (--etcd) was found; install it"
          + " (apt-get install -y etcd-server) or name the binary with --etcd");
      return EXIT_START_FAILED;
    }
    Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("compare-etcd-");
    Workload workload = Workload.of(keys);
    out.printf("compare-etcd: %d round(s) of etcd then RaftKV; %s per level after a %s warm-up; in flight %s;"
            + " %d keys of %d bytes, values of %d bytes; started %s; load average %s; work dir %s%n",
        rounds, Report.seconds(duration), Report.seconds(warmup), Arrays.toString(concurrency), keys,
        Workload.KEY_BYTES, Workload.VALUE_BYTES, Instant.now(), loadAverage(), work);
    out.flush();
    List<List<Comparison>> allRounds = new ArrayList<>();
    try {
      for (int round = 1; round <= rounds; round++) {
        List<LevelResult> etcdResults = runSystem("etcd", round, work, workload, out);
        List<LevelResult> raftkvResults = runSystem("raftkv", round, work, workload, out);
        List<Comparison> points = new ArrayList<>();
        int i = 0;
        for (int level : concurrency) {
          for (Operation op : Operation.values()) {
            points.add(new Comparison(op, level, etcdResults.get(i), raftkvResults.get(i)));
            i++;
          }
        }
        allRounds.add(points);
        out.printf("%nRound %d of %d: RaftKV beside etcd%n%s%n", round, rounds, Report.table(points));
        out.flush();
      }
    } catch (StartFailure e) {
      err.println("compare-etcd: " + e.getMessage());
      err.println("compare-etcd: the members' logs are kept in " + work);
      return EXIT_START_FAILED;
    } catch (RunFailure e) {
      err.println("compare-etcd: " + e.getMessage());
      err.println("compare-etcd: the members' logs are kept in " + work);
      return EXIT_RUN_FAILED;
    }
    out.printf("%nSummary over %d round(s) (ops/s = all answered requests / all measured time; percentiles of all"
        + " latencies; ratios above 1 favour RaftKV); finished %s; load average %s%n%s", rounds, Instant.now(),
        loadAverage(), Report.summary(allRounds));
    out.printf("%nCPU per answered request over all rounds, in microseconds (the members: the 3 etcd or RaftKV"
        + " processes; the driver: this JVM, its client library included)%n%s", Report.cpuSummary(allRounds));
    out.flush();
    if (!keepWorkDir && workDir == null) {
      Dirs.deleteRecursively(work);
    }
    return 0;
  }

  /** Checks the command line; a bad value is reported naming its flag, and the exit code is 2. */
  void validate() {
    CommandLine cl = spec.commandLine();
    if (duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
      throw new ParameterException(cl, "--duration " + duration.toMillis() + "ms: expected more than 0 and at most 1h");
    }
    if (warmup.compareTo(MAX_DURATION) > 0) {
      throw new ParameterException(cl, "--warmup " + warmup.toMillis() + "ms: expected 0s to 1h");
    }
    if (rounds < 1 || rounds > MAX_ROUNDS) {
      throw new ParameterException(cl, "--rounds " + rounds + ": expected 1 to " + MAX_ROUNDS);
    }
    if (concurrency.length == 0) {
      throw new ParameterException(cl, "--concurrency is empty: give one or more levels, e.g. 1,16,64,256");
    }
    for (int c : concurrency) {
      if (c < 1 || c > MAX_IN_FLIGHT) {
        throw new ParameterException(cl, "--concurrency value " + c + ": expected 1 to " + MAX_IN_FLIGHT);
      }
    }
    if (keys < 1 || keys > MAX_KEYS) {
      throw new ParameterException(cl, "--keys " + keys + ": expected 1 to " + MAX_KEYS);
    }
    if (!Files.isRegularFile(raftkvLauncher) || !Files.isExecutable(raftkvLauncher)) {
      throw new ParameterException(cl, "--raftkv-launcher " + raftkvLauncher + ": no executable file there; give"
          + " the path of deploy/bin/raftkv");
    }
  }

  /** One system's part of a round: start it, write every key, warm up, measure each level, stop it. */
  private List<LevelResult> runSystem(String system, int round, Path work, Workload workload, PrintWriter out)
      throws StartFailure, RunFailure, InterruptedException {
    Path dir = work.resolve(system + "-round-" + round);
    out.printf("%n== round %d: %s: starting 3 members in %s%n", round, system, dir);
    out.flush();
    List<LevelResult> results = new ArrayList<>();
    BenchCluster started;
    try {
      started = system.equals("etcd") ? EtcdCluster.start(etcd, dir) : RaftKvCluster.start(raftkvLauncher.toString(), dir);
    } catch (StartFailure e) {
      throw new StartFailure(system + " did not start: " + e.getMessage(), e);
    }
    try (BenchCluster cluster = started) {
      ClosedLoopDriver driver = new ClosedLoopDriver(cluster.store(), workload);
      LevelResult preload = driver.writeEveryKey(PRELOAD_IN_FLIGHT, Duration.ofMinutes(10).toNanos());
      if (preload.ops() < workload.keyCount()) {
        throw new RunFailure(system + ": only " + preload.ops() + " of the " + workload.keyCount()
            + " keys could be written before the measured runs:\n" + Report.errorLines(preload));
      }
      int most = Arrays.stream(concurrency).max().orElseThrow();
      if (!warmup.isZero()) {
        out.printf("  %s: %d keys written; warming up for %s (not measured)%n", system, workload.keyCount(),
            Report.seconds(warmup));
        out.flush();
        driver.run(Operation.PUT, most, warmup.toNanos() / 2);
        driver.run(Operation.GET, most, warmup.toNanos() / 2);
      }
      for (int level : concurrency) {
        for (Operation op : Operation.values()) {
          long membersBefore = cluster.membersCpuNanos();
          long driverBefore = driverCpuNanos();
          LevelResult r = driver.run(op, level, duration.toNanos());
          long membersAfter = cluster.membersCpuNanos();
          long driverAfter = driverCpuNanos();
          r = r.withCpu(membersBefore < 0 || membersAfter < 0 ? -1 : membersAfter - membersBefore,
              driverBefore < 0 || driverAfter < 0 ? -1 : driverAfter - driverBefore);
          out.println(Report.levelLine(system, round, op, level, r));
          if (r.errors() > 0) {
            out.println(Report.errorLines(r));
          }
          out.flush();
          try {
            cluster.checkMembersAlive();
          } catch (StartFailure e) {
            throw new RunFailure(system + " lost a member during the runs: " + e.getMessage());
          }
          results.add(r);
        }
      }
    }
    return results;
  }

  /** CPU time this JVM (the load driver and the client libraries) has used so far, or -1. */
  private static long driverCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return String.format("%.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          .getSystemLoadAverage());
    }
  }

  /** A measured run could not go on: a member died, or the keys could not be written. */
  static final class RunFailure extends Exception {
    private static final long serialVersionUID = 1L;

    RunFailure(String message) {
      super(message);
    }
  }
}
