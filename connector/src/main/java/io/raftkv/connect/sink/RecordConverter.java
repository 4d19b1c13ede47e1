package io.raftkv.connect.sink;

import com.google.protobuf.ByteString;
import io.raftkv.api.DeleteOp;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.connect.config.KeyPrefixes;
import io.raftkv.connect.config.WriteLimits;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

/** Turns a record into its RaftKV operation: a put of (prefix + key, value), or a delete for a tombstone. */
public final class RecordConverter {
  private static final ByteString RESERVED = ByteString.copyFromUtf8(KeyPrefixes.RESERVED_NAMESPACE);

  private final KeyPrefixes prefixes;
  private final WriteLimits limits;
  private final RecordEncoder encoder;
  private final Map<String, ByteString> prefixByTopic = new HashMap<>();

  public RecordConverter(KeyPrefixes prefixes, WriteLimits limits, RecordEncoder encoder) {
    this.prefixes = prefixes;
    this.limits = limits;
    this.encoder = encoder;
  }

  /**
   * The operation for {@code record}.
   *
   * @throws BadRecordException naming the record and why it cannot be written
   */
  public Op convert(SinkRecord record) {
    if (record.key() == null) {
      throw new BadRecordException(record, "it has no key (RaftKV keys come from record keys)");
    }
    byte[] keyBytes;
    byte[] valueBytes;
    try {
      keyBytes = encoder.encode(record.topic(), record.keySchema(), record.key());
    } catch (DataException e) {
      throw new BadRecordException(record, "its key cannot be converted: " + e.getMessage(), e);
    }
    try {
      valueBytes = encoder.encode(record.topic(), record.valueSchema(), record.value());
    } catch (DataException e) {
      throw new BadRecordException(record, "its value cannot be converted: " + e.getMessage(), e);
    }
    ByteString key = prefix(record.topic()).concat(ByteString.copyFrom(keyBytes));
    if (key.isEmpty()) {
      throw new BadRecordException(record, "its key is empty and the topic has no prefix: keys are 1 to "
          + limits.maxKeyBytes() + " bytes");
    }
    if (key.size() > limits.maxKeyBytes()) {
      throw new BadRecordException(record, "its key is " + key.size() + " bytes with the prefix; at most "
          + limits.maxKeyBytes() + " are allowed");
    }
    if (key.startsWith(RESERVED)) {
      throw new BadRecordException(record, "its key starts with " + KeyPrefixes.RESERVED_NAMESPACE
          + ", which is reserved for the connectors' own state");
    }
    if (valueBytes == null) {
      return Op.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key)).build();
    }
    if (valueBytes.length > limits.maxValueBytes()) {
      throw new BadRecordException(record, "its value is " + valueBytes.length + " bytes; at most "
          + limits.maxValueBytes() + " are allowed");
    }
    return Op.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(ByteString.copyFrom(valueBytes)))
        .build();
  }

  private ByteString prefix(String topic) {
    return prefixByTopic.computeIfAbsent(topic,
        t -> ByteString.copyFrom(prefixes.prefixFor(t).getBytes(StandardCharsets.UTF_8)));
  }
}
