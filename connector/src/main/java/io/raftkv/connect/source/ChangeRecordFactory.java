package io.raftkv.connect.source;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.KeyValue;
import io.raftkv.connect.Version;
import io.raftkv.connect.config.ByteFormat;
import io.raftkv.connect.config.RaftKvSourceConfig;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;

/** Turns change-feed events into Connect records: the envelope, and after a delete a tombstone if asked. */
public final class ChangeRecordFactory {
  /** Most bytes of a key or value quoted (in hex) in an error message. */
  private static final int QUOTED_BYTES = 64;

  private final EnvelopeSchemas schemas;
  private final ByteFormat keyFormat;
  private final ByteFormat valueFormat;
  private final String topic;
  private final Map<String, Object> partition;
  private final String connectorName;
  private final String clusterName;
  private final boolean tombstones;
  private final LongSupplier clock;

  /** Everything that is the same for every record of one task. */
  public record Settings(EnvelopeSchemas schemas, ByteFormat keyFormat, ByteFormat valueFormat, String topic,
      String connectorName, String clusterName, boolean tombstones) {}

  public ChangeRecordFactory(Settings settings, LongSupplier clock) {
    this.schemas = settings.schemas();
    this.keyFormat = settings.keyFormat();
    this.valueFormat = settings.valueFormat();
    this.topic = settings.topic();
    this.partition = SourcePartition.of(settings.clusterName());
    this.connectorName = settings.connectorName();
    this.clusterName = settings.clusterName();
    this.tombstones = settings.tombstones();
    this.clock = clock;
  }

  /**
   * The record of one event, followed by a tombstone if it is a delete and tombstones are on.
   *
   * @throws ConnectException if a key or value cannot be given in the configured format
   */
  public List<SourceRecord> records(FeedItem item) {
    ChangeEvent e = item.event();
    Map<String, Object> offset = SourceOffset.of(item.offset());
    long now = clock.getAsLong();
    Object key = decode(keyFormat, e.getKey(), "key", RaftKvSourceConfig.KEY_FORMAT, e);
    Struct envelope = new Struct(schemas.envelope())
        // before_omitted: the server left the before value out (its per-entry budget); the envelope then
        // says "before unknown" (null) rather than carry an empty value that never was.
        .put(EnvelopeSchemas.BEFORE, e.hasBefore() && !e.getBeforeOmitted() ? row(e.getBefore(), e) : null)
        .put(EnvelopeSchemas.AFTER, e.hasAfter() ? row(e.getAfter(), e) : null)
        .put(EnvelopeSchemas.SOURCE, source(e, item.snapshot(), now))
        .put(EnvelopeSchemas.OP, op(e))
        .put(EnvelopeSchemas.TS_MS, now);
    Long timestamp = e.getOp() == ChangeEvent.Op.READ || e.getProposedAtMs() <= 0 ? null : e.getProposedAtMs();
    SourceRecord record = new SourceRecord(partition, offset, topic, null, schemas.key(), key, schemas.envelope(),
        envelope, timestamp);
    if (e.getOp() == ChangeEvent.Op.DELETE && tombstones) {
      return List.of(record, new SourceRecord(partition, offset, topic, null, schemas.key(), key, null, null,
          timestamp));
    }
    return List.of(record);
  }

  private Struct row(KeyValue kv, ChangeEvent e) {
    return new Struct(schemas.row())
        .put("key", decode(keyFormat, kv.getKey(), "key", RaftKvSourceConfig.KEY_FORMAT, e))
        .put("value", decode(valueFormat, kv.getValue(), "value", RaftKvSourceConfig.VALUE_FORMAT, e))
        .put("version", kv.getVersion())
        .put("create_version", kv.getCreateVersion());
  }

  private Struct source(ChangeEvent e, SnapshotMarker snapshot, long now) {
    boolean isRow = e.getOp() == ChangeEvent.Op.READ;
    long keyVersion = e.getOp() == ChangeEvent.Op.DELETE ? e.getBefore().getVersion() : e.getAfter().getVersion();
    return new Struct(schemas.source())
        .put("version", Version.get())
        .put("connector", EnvelopeSchemas.CONNECTOR)
        .put("name", connectorName)
        .put(EnvelopeSchemas.TS_MS, isRow ? now : e.getProposedAtMs())
        .put("snapshot", snapshot.text())
        .put("cluster", clusterName)
        .put("index", e.getIndex())
        .put("sub_sequence", e.getSubSequence())
        .put("term", e.getTerm())
        .put("key_version", keyVersion);
  }

  private static String op(ChangeEvent e) {
    return switch (e.getOp()) {
      case CREATE -> "c";
      case UPDATE -> "u";
      case DELETE -> "d";
      case READ -> "r";
      default -> throw new ConnectException("the change at index " + e.getIndex() + " sub-sequence "
          + e.getSubSequence() + " has operation " + e.getOpValue() + ", which this connector version does not "
          + "know: upgrade the connector to one that matches the RaftKV servers");
    };
  }

  private static Object decode(ByteFormat format, ByteString bytes, String what, String option, ChangeEvent e) {
    if (format == ByteFormat.BYTES) {
      return bytes.toByteArray();
    }
    String text = bytes.toStringUtf8();
    // Decoding replaces bad bytes with U+FFFD; only then is a second, checking pass needed.
    if (text.indexOf('\uFFFD') < 0 || bytes.isValidUtf8()) {
      return text;
    }
    ByteString quoted = bytes.substring(0, Math.min(bytes.size(), QUOTED_BYTES));
    throw new ConnectException("the " + what + " of the change at index " + e.getIndex() + " sub-sequence "
        + e.getSubSequence() + " is not UTF-8 text (hex " + HexFormat.of().formatHex(quoted.toByteArray())
        + (bytes.size() > QUOTED_BYTES ? "..." : "") + "), so " + option + "=string cannot give it: set " + option
        + "=bytes, or narrow raftkv.key.prefix to keys that hold text");
  }
}
