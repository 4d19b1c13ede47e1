package io.raftkv.cli;

import io.raftkv.api.Member;
import io.raftkv.cli.backup.Restore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** raftkv restore: one node's data directory of a new cluster, from a backup file (offline). */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = {"Create a node's data directory from a backup file, with no server running.",
        "Run it on every node of the new cluster with the same file and the same --peers, then start each node"
            + " with 'raftkv server' and the same --id, --peers and --cluster-id. The new cluster holds the backup's"
            + " data, client sessions and change feed at the backup's index, with --peers as its members; it is a new"
            + " cluster: do not let its nodes talk to the old one's.",
        "The file is verified whole first; --data-dir must be new or empty, and is either created whole or left"
            + " as it was."})
final class RestoreCommand implements Callable<Integer> {
  @Option(names = "--from", required = true, paramLabel = "FILE", description = "The backup file.")
  Path from;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The new data directory.")
  Path dataDir;

  @Option(names = "--id", required = true, description = "The id of the node this directory is for.")
  long id;

  @Option(names = "--peers", required = true, paramLabel = "ID=HOST:PORT,...",
      description = "Every member of the new cluster with its peer address, this node included.")
  String peers;

  @Option(names = "--cluster-id", description = "The new cluster's id (default: the backup's).")
  String clusterId;

  @Override
  public Integer call() {
    if (id <= 0) {
      throw new IllegalArgumentException("--id is " + id + ": expected a positive number");
    }
    var members = PeerList.parse(peers);
    if (members.isEmpty()) {
      throw new IllegalArgumentException("--peers is empty: list every member of the new cluster as ID=HOST:PORT");
    }
    if (!members.containsKey(id)) {
      throw new IllegalArgumentException("--peers " + peers + " does not list this node (--id " + id + ")");
    }
    if (clusterId != null && clusterId.isBlank()) {
      throw new IllegalArgumentException("--cluster-id is blank: give a name, or leave it out to keep the backup's");
    }
    if (clusterId != null && !ServerCommand.CLUSTER_ID.matcher(clusterId).matches()) {
      throw new IllegalArgumentException("--cluster-id is '" + clusterId + "': expected 1-64 characters of"
          + " A-Z a-z 0-9 . _ - (as raftkv server takes)");
    }
    Restore.Result r = Restore.run(from, dataDir, id, new ArrayList<Member>(members.values()), clusterId);
    System.out.printf("restored index %d (term %d, %d keys) of cluster '%s' into %s for node %d%n",
        r.backup().header().getAppliedIndex(), r.backup().header().getAppliedTerm(),
        r.backup().trailer().getDataKeys(), r.clusterId(), r.dataDir(), id);
    System.out.printf("start it with: raftkv server --id %d --cluster-id %s --data-dir %s --peers %s"
        + " --peer-addr %s --client-addr HOST:PORT%n", id, r.clusterId(), dataDir, peers,
        members.get(id).getPeerAddress());
    return ExitCodes.OK;
  }
}
