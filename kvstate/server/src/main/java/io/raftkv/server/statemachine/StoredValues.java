package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.KeyValue;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.DataDirectoryException;
import java.nio.file.Path;

/** A key's record in the data column family: parsed from disk, and shown to clients as a {@link KeyValue}. */
final class StoredValues {
  private StoredValues() {}

  /** The record in {@code bytes} (null: absent, so null); garbage means the data directory is corrupt. */
  static StoredValue parse(Path directory, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      return StoredValue.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new DataDirectoryException(directory, "stored value is corrupt", e);
    }
  }

  /** The key with its value and versions; with the key alone if {@code v} is null (absent). */
  static KeyValue toKeyValue(ByteString key, StoredValue v) {
    if (v == null) {
      return KeyValue.newBuilder().setKey(key).build();
    }
    return KeyValue.newBuilder().setKey(key).setValue(v.getValue()).setVersion(v.getVersion())
        .setCreateVersion(v.getCreateVersion()).build();
  }

  /** The key with its versions but not its value (the value was left out of an answer or event). */
  static KeyValue versionsOnly(ByteString key, StoredValue v) {
    return KeyValue.newBuilder().setKey(key).setVersion(v.getVersion()).setCreateVersion(v.getCreateVersion()).build();
  }
}
