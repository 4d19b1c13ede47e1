package io.raftkv.cli.backup;

import io.raftkv.api.Error;
import io.raftkv.client.BackupCall;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a backup into a file from the first node of the cluster that serves one, trying the endpoints
 * in turn until the deadline; a stream that fails part way starts again from scratch.
 */
public final class BackupDownload {
  private static final Logger LOG = LoggerFactory.getLogger(BackupDownload.class);

  private BackupDownload() {}

  /**
   * Writes a verified backup to {@code out} and returns what it holds.
   *
   * @param deadline how long to keep trying to start a backup (a running one is never cut short)
   * @throws RaftKvException if no node served one in time
   * @throws IllegalArgumentException if {@code out} cannot be written
   */
  public static BackupSummary run(RaftKvClient client, Path out, boolean replace, Duration deadline) {
    long deadlineNanos = System.nanoTime() + deadline.toNanos();
    RuntimeException last = null;
    int attempt = 0;
    do {
      String endpoint = client.endpoints().get(attempt % client.endpoints().size());
      try (BackupFileWriter file = BackupFileWriter.create(out, replace); BackupCall call = client.backup(endpoint)) {
        try {
          while (call.hasNext()) {
            file.write(call.next());
          }
          return file.commit();
        } catch (IllegalArgumentException e) {
          throw new RaftKvException(Error.Code.UNKNOWN, "node " + endpoint + " sent a bad backup: "
              + e.getMessage(), e);
        }
      } catch (RaftKvException e) {
        if (e.code() == Error.Code.INVALID_ARGUMENT || e.code() == Error.Code.PERMISSION_DENIED
            || e.code() == Error.Code.UNAUTHENTICATED) {
          throw e; // every node answers the same
        }
        LOG.warn("backup from {} failed, trying another node: {}", endpoint, e.getMessage());
        last = e;
      }
      attempt++;
      pause(attempt);
    } while (System.nanoTime() < deadlineNanos);
    throw new RaftKvException(Error.Code.TIMEOUT, "no node of " + client.endpoints() + " served a backup within "
        + deadline.toMillis() + " ms" + (last == null ? "" : "; last error: " + last.getMessage()), last);
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(Math.min(500, 20L * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RaftKvException(Error.Code.UNAVAILABLE, "interrupted while retrying the backup", e);
    }
  }
}
