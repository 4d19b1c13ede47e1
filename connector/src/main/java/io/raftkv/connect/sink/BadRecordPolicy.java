package io.raftkv.connect.sink;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a record the sink cannot write, following Kafka Connect's errors.tolerance: with
 * {@code all} it goes to the errant record reporter (dead-letter queue, error log) if the worker has one, and
 * is skipped; with {@code none} the task fails naming the record and the reason.
 */
public final class BadRecordPolicy {
  private static final Logger log = LoggerFactory.getLogger(BadRecordPolicy.class);

  private final boolean tolerate;
  private final ErrantRecordReporter reporter;

  /**
   * @param reporter the worker's reporter, or null if it has none (no dead-letter queue or error log
   *     configured, or a worker older than Kafka 2.6)
   */
  public BadRecordPolicy(boolean tolerate, ErrantRecordReporter reporter) {
    this.tolerate = tolerate;
    this.reporter = reporter;
  }

  /**
   * Reports and skips {@code problem}'s record, or fails the task.
   *
   * @return completes once the record is reported; its offset must not be stored before
   * @throws ConnectException with the default tolerance
   */
  public Future<Void> handle(SinkRecord record, BadRecordException problem) {
    if (!tolerate) {
      throw new ConnectException(problem.getMessage() + " (errors.tolerance=all with "
          + "errors.deadletterqueue.topic.name sends such records to a dead-letter queue instead)", problem);
    }
    if (reporter == null) {
      log.warn("Skipping a bad record (errors.tolerance=all, no dead-letter queue): {}", problem.getMessage());
      return CompletableFuture.completedFuture(null);
    }
    log.debug("Reporting a bad record: {}", problem.getMessage());
    return reporter.report(record, problem);
  }
}
