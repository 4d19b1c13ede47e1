package io.raftkv.cli.backup;

import io.raftkv.api.BackupBatch;
import io.raftkv.api.Member;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.StateImport;
import io.raftkv.server.storage.pb.SnapshotKvBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates one node's data directory from a backup file, with no server running: verifies the whole file
 * first, builds the directory beside the target, then renames it into place, so the target is a
 * complete data directory or stays as it was.
 */
public final class Restore {
  private static final Logger LOG = LoggerFactory.getLogger(Restore.class);

  /** What was restored: the backup and the cluster id the node must be started with. */
  public record Result(BackupSummary backup, String clusterId, Path dataDir) {}

  private Restore() {}

  /**
   * Restores {@code backup} into {@code dataDir} for node {@code nodeId} of a new cluster whose voters are
   * {@code members}; {@code clusterId} null keeps the backup's.
   *
   * @throws IllegalArgumentException naming a bad file, a directory in use or not empty
   */
  public static Result run(Path backup, Path dataDir, long nodeId, List<Member> members, String clusterId) {
    if (members.stream().noneMatch(m -> m.getId() == nodeId)) {
      throw new IllegalArgumentException("--peers does not list this node (--id " + nodeId + ")");
    }
    Path target = dataDir.toAbsolutePath().normalize();
    checkTarget(dataDir, target);
    BackupSummary summary = BackupFileReader.verify(backup);
    String cluster = clusterId != null ? clusterId : summary.header().getClusterId();
    Path parent = target.getParent();
    Path staging = parent.resolve("." + target.getFileName() + ".restoring-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(parent);
      deleteRecursively(staging); // left by an earlier restore of this process id that crashed
      try (StateImport state = StateImport.create(staging, cluster, nodeId, summary.header().getAppliedIndex(),
          summary.header().getAppliedTerm())) {
        BackupFileReader.read(backup, batch -> state.add(toSnapshotBatch(batch)));
        state.finish(members);
      }
      if (Files.exists(target)) {
        Files.delete(target); // empty, checked above
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      deleteQuietly(staging);
      throw new IllegalArgumentException("--data-dir " + dataDir + ": cannot create it: " + e.getMessage(), e);
    } catch (DataDirectoryException e) {
      deleteQuietly(staging);
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(staging);
      throw e;
    }
    return new Result(summary, cluster, target);
  }

  private static void checkTarget(Path given, Path target) {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new IllegalArgumentException("--data-dir " + given + " exists and is not a directory");
    }
    try (Stream<Path> entries = Files.list(target)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
      if (!names.isEmpty()) {
        throw new IllegalArgumentException("--data-dir " + given + " is not empty (it holds " + names.size()
            + " entries" + (names.contains("LOCK") ? ", among them RocksDB's LOCK file: a node may be running on it"
            : "") + "); restore writes only into a new or empty directory");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("--data-dir " + given + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static SnapshotKvBatch toSnapshotBatch(BackupBatch batch) {
    return SnapshotKvBatch.newBuilder().setColumnFamily(batch.getColumnFamily()).addAllKeys(batch.getKeysList())
        .addAllValues(batch.getValuesList()).build();
  }

  private static void deleteQuietly(Path dir) {
    try {
      deleteRecursively(dir);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete the partial restore {}: {}", dir, e.getMessage());
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
