package io.raftkv.cli;

import io.raftkv.cli.backup.BackupDownload;
import io.raftkv.cli.backup.BackupSummary;
import io.raftkv.client.RaftKvClient;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** raftkv backup: a consistent copy of a running cluster's state, into one file. */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = {"Back up a running cluster into a file.",
        "One node (the first of --endpoints that answers) confirms its applied index with the leader, so the"
            + " backup holds every write acknowledged before it started, pins its state at that index and streams"
            + " it: the data, the client sessions (exactly-once records) and the change feed. Writes go on"
            + " meanwhile. The file is written beside --out, checked against its SHA-256 trailer, fsynced and"
            + " renamed into place, so --out is a whole backup or absent.",
        "Restore it with 'raftkv restore'; inspect it with 'raftkv backup-info'."})
final class BackupCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The backup file to create.")
  Path out;

  @Option(names = "--force", description = "Replace --out if it exists.")
  boolean force;

  @Override
  public Integer call() {
    try (RaftKvClient c = client.connect()) {
      BackupSummary s = BackupDownload.run(c, out, force, Durations.parse("--timeout", client.timeout));
      System.out.printf("backup of cluster '%s' at index %d (term %d) from node %d: %d keys, %d entries, %d bytes"
          + " -> %s%n", s.header().getClusterId(), s.header().getAppliedIndex(), s.header().getAppliedTerm(),
          s.header().getSourceNodeId(), s.trailer().getDataKeys(), s.trailer().getEntries(), s.bytes(), out);
    }
    return ExitCodes.OK;
  }
}
