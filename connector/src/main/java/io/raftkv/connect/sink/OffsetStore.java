package io.raftkv.connect.sink;

import com.google.protobuf.ByteString;
import io.raftkv.api.CasOp;
import io.raftkv.api.DeleteOp;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.client.RaftKvClient;
import io.raftkv.connect.config.KeyPrefixes;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink's offsets in RaftKV: for each topic-partition, the highest Kafka offset written, under
 * {@code __raftkv/connect/sink/<connector>/<topic>/<partition>} as an 8-byte big-endian value.
 */
public final class OffsetStore {
  public static final String NAMESPACE = KeyPrefixes.RESERVED_NAMESPACE + "connect/sink/";
  /** Offset read for a partition with nothing stored. */
  public static final long NONE = -1;

  private final String connectorName;

  public OffsetStore(String connectorName) {
    this.connectorName = connectorName;
  }

  /** The key holding {@code tp}'s offset; topic names cannot hold '/', so the last two parts are unambiguous. */
  public ByteString key(TopicPartition tp) {
    return ByteString.copyFromUtf8(NAMESPACE + connectorName + "/" + tp.topic() + "/" + tp.partition());
  }

  public static ByteString encode(long offset) {
    return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(offset).array());
  }

  /** The offset in a stored value; throws naming the key if the value is not 8 bytes. */
  public static long decode(KeyValue kv) {
    if (kv.getValue().size() != Long.BYTES) {
      throw new IllegalStateException("stored offset " + kv.getKey().toStringUtf8() + " holds "
          + kv.getValue().size() + " bytes, not an 8-byte offset: it was not written by this sink");
    }
    return kv.getValue().asReadOnlyByteBuffer().getLong();
  }

  /** The stored offset of each partition ({@link #NONE} if none), read linearizably. */
  public Map<TopicPartition, Long> read(RaftKvClient client, Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      Optional<KeyValue> kv = client.get(key(tp));
      out.put(tp, kv.map(OffsetStore::decode).orElse(NONE));
    }
    return out;
  }

  /**
   * Moves {@code tp}'s offset from {@code expected} to {@code next}, and fails the whole write it is part of
   * if the stored offset is no longer {@code expected}: a write is never applied twice, even when an earlier
   * attempt whose answer was lost applies late, or a zombie task writes the same partition.
   */
  public Op advance(TopicPartition tp, long expected, long next) {
    CasOp.Builder cas = CasOp.newBuilder().setKey(key(tp)).setNewValue(encode(next));
    if (expected == NONE) {
      cas.setExpectedVersion(0);
    } else {
      cas.setExpectedValue(encode(expected));
    }
    return Op.newBuilder().setCas(cas).build();
  }

  /** Sets {@code tp}'s offset unconditionally (the REST offsets endpoints, connector stopped). */
  public Op put(TopicPartition tp, long offset) {
    return Op.newBuilder().setPut(PutOp.newBuilder().setKey(key(tp)).setValue(encode(offset))).build();
  }

  public Op delete(TopicPartition tp) {
    return Op.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key(tp))).build();
  }
}
