package io.raftkv.connect.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

/**
 * Turns a record key or value into bytes: bytes as they are, strings as UTF-8, anything else (structs,
 * maps, lists, numbers, booleans) as compact JSON without a schema envelope, map keys sorted so the same
 * data always gives the same bytes.
 */
public final class RecordEncoder implements AutoCloseable {
  private final JsonConverter json = new JsonConverter();

  public RecordEncoder() {
    json.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
        JsonConverterConfig.DECIMAL_FORMAT_CONFIG, "NUMERIC"), false);
  }

  /**
   * The bytes of {@code value}, or null for null.
   *
   * @throws org.apache.kafka.connect.errors.DataException if the data cannot be written as JSON
   */
  public byte[] encode(String topic, Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] out = new byte[copy.remaining()];
      copy.get(out);
      return out;
    }
    if (value instanceof String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }
    Schema effective = schema == null && value instanceof Struct struct ? struct.schema() : schema;
    return json.fromConnectData(topic, effective, sorted(value));
  }

  /** A copy of {@code value} whose maps iterate in key order (when their keys are mutually comparable). */
  static Object sorted(Object value) {
    if (value instanceof Struct struct) {
      Struct copy = new Struct(struct.schema());
      for (Field field : struct.schema().fields()) {
        copy.put(field, sorted(struct.get(field)));
      }
      return copy;
    }
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = sortable(map) ? new TreeMap<>() : new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        copy.put(sorted(e.getKey()), sorted(e.getValue()));
      }
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(sorted(element));
      }
      return copy;
    }
    return value;
  }

  private static boolean sortable(Map<?, ?> map) {
    Class<?> keyClass = null;
    for (Object key : map.keySet()) {
      if (!(key instanceof Comparable<?>) || (keyClass != null && key.getClass() != keyClass)) {
        return false;
      }
      keyClass = key.getClass();
    }
    return true;
  }

  @Override
  public void close() {
    json.close();
  }
}
