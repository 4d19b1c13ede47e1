package io.raftkv.connect.sink;

import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/** A record the sink cannot write (no key, too large, not convertible); the message names it and why. */
public final class BadRecordException extends DataException {
  private static final long serialVersionUID = 1L;

  public BadRecordException(SinkRecord record, String reason, Throwable cause) {
    super("record " + where(record) + " cannot be written to RaftKV: " + reason, cause);
  }

  public BadRecordException(SinkRecord record, String reason) {
    this(record, reason, null);
  }

  /** topic-partition@offset, with the original topic-partition when transforms changed it. */
  static String where(SinkRecord record) {
    String original = "topic '" + record.originalTopic() + "' partition " + record.originalKafkaPartition()
        + " offset " + record.originalKafkaOffset();
    return record.topic().equals(record.originalTopic()) ? original
        : original + " (topic '" + record.topic() + "' after transforms)";
  }
}
