package io.raftkv.cli;

import io.raftkv.torture.rig.FaultKind;
import io.raftkv.torture.rig.TortureOptions;
import io.raftkv.torture.rig.TortureRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** raftkv torture: runs a cluster of real server processes under faults and checks what clients saw. */
@Command(name = "torture", mixinStandardHelpOptions = true,
    description = {"Start a cluster of real 'raftkv server --fault-injection' processes on loopback, run"
        + " concurrent clients against a few keys while a nemesis kills, pauses, partitions, slows and wipes"
        + " nodes, then heal it and check: linearizability per key, no acknowledged write lost, none applied"
        + " twice, identical change feeds and states on every node.",
        "The cluster runs TLS as any does: the run makes its own CA and certificates under --dir (certs/: one per"
            + " node, an 'admin' client certificate its clients present) and starts each node with --cert, --key and"
            + " --trusted-ca. --insecure runs it in plaintext instead.",
        "Exit code 0: all checks passed; 1: a violation (the summary names it and how to re-run the seed);"
            + " 2: bad command line; 3: the cluster could not be run."})
final class TortureCommand implements Callable<Integer> {
  @Option(names = "--seed", description = "Seeds the nemesis and the clients' choices (default: a random one, printed).")
  Long seed;

  @Option(names = "--duration", description = "How long the workload runs under faults (default 60s).")
  String duration = "60s";

  @Option(names = "--nodes", description = "3 or 5 (default 3).")
  int nodes = 3;

  @Option(names = "--clients", description = "Concurrent clients, each with its own session (default 8).")
  int clients = 8;

  @Option(names = "--keys", description = "Keys the clients contend on (default 8).")
  int keys = 8;

  @Option(names = "--faults", paramLabel = "KIND,...",
      description = "Faults to inject, from kill, pause, partition, drop-delay, wipe, flood, poison (default all), or none.")
  String faults = FaultKind.all();

  @Option(names = "--dir", paramLabel = "DIR", description = "Where the data, node logs, history and nemesis log"
      + " go (default raftkv-torture-SEED in the temporary directory).")
  Path dir;

  @Option(names = "--keep", description = "Keep the directory after a passing run (a failing run always keeps it).")
  boolean keep;

  @Option(names = "--tick-ms", description = "The nodes' raft tick (default 50): short, so elections are quick.")
  int tickMs = 50;

  @Option(names = "--insecure", description = "Run the nodes with --insecure and the clients in plaintext, without"
      + " certificates (default: TLS on both ports, certificates made under --dir).")
  boolean insecure;

  @Override
  public Integer call() throws Exception {
    long s = seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
    Path where = dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir"), "raftkv-torture-" + s);
    if (Files.exists(where) && !Files.isDirectory(where)) {
      throw new IllegalArgumentException("--dir " + where + " is a file: give a new or empty directory");
    }
    if (Files.isDirectory(where)) {
      try (var entries = Files.list(where)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("--dir " + where + " is not empty: give a new or empty directory");
        }
      }
    }
    TortureOptions options = new TortureOptions(s, Durations.parse("--duration", duration), nodes, clients, keys,
        FaultKind.parse(faults), where, keep, tickMs, insecure);
    TortureRun.Summary summary = new TortureRun(options, System.out).run();
    return summary.passed() ? ExitCodes.OK : ExitCodes.NOT_FOUND_OR_NOT_MATCHED;
  }
}
