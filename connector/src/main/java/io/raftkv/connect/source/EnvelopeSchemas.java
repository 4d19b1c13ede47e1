package io.raftkv.connect.source;

import io.raftkv.connect.config.ByteFormat;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * The Connect schemas of the source's records: the key, and the Debezium-style envelope
 * ({@code io.raftkv.<name>.Envelope}) with its {@code Value} (before/after) and {@code Source} structs.
 */
public record EnvelopeSchemas(Schema key, Schema row, Schema source, Schema envelope) {
  public static final String CONNECTOR = "raftkv";
  public static final String SOURCE_SCHEMA_NAME = "io.raftkv.connect.Source";

  /** Field names, as Debezium's envelope has them where it has them. */
  public static final String BEFORE = "before";
  public static final String AFTER = "after";
  public static final String SOURCE = "source";
  public static final String OP = "op";
  public static final String TS_MS = "ts_ms";

  /**
   * @param logicalName the cluster's logical name; characters a schema name cannot hold become '_'
   */
  public static EnvelopeSchemas build(String logicalName, ByteFormat keyFormat, ByteFormat valueFormat) {
    String namespace = "io.raftkv." + schemaNamePart(logicalName);
    Schema key = schemaOf(keyFormat, false);
    Schema row = SchemaBuilder.struct().name(namespace + ".Value").optional()
        .field("key", schemaOf(keyFormat, false))
        .field("value", schemaOf(valueFormat, false))
        .field("version", Schema.INT64_SCHEMA)
        .field("create_version", Schema.INT64_SCHEMA)
        .build();
    Schema source = SchemaBuilder.struct().name(SOURCE_SCHEMA_NAME)
        .field("version", Schema.STRING_SCHEMA)
        .field("connector", Schema.STRING_SCHEMA)
        .field("name", Schema.STRING_SCHEMA)
        .field(TS_MS, Schema.INT64_SCHEMA)
        .field("snapshot", SchemaBuilder.string().optional().defaultValue(SnapshotMarker.FALSE.text()).build())
        .field("cluster", Schema.STRING_SCHEMA)
        .field("index", Schema.INT64_SCHEMA)
        .field("sub_sequence", Schema.INT32_SCHEMA)
        .field("term", Schema.INT64_SCHEMA)
        .field("key_version", Schema.INT64_SCHEMA)
        .build();
    Schema envelope = SchemaBuilder.struct().name(namespace + ".Envelope").version(1)
        .field(BEFORE, row)
        .field(AFTER, row)
        .field(SOURCE, source)
        .field(OP, Schema.STRING_SCHEMA)
        .field(TS_MS, Schema.OPTIONAL_INT64_SCHEMA)
        .build();
    return new EnvelopeSchemas(key, row, source, envelope);
  }

  private static Schema schemaOf(ByteFormat format, boolean optional) {
    SchemaBuilder b = format == ByteFormat.STRING ? SchemaBuilder.string() : SchemaBuilder.bytes();
    return optional ? b.optional().build() : b.build();
  }

  /** {@code name} with every character outside [A-Za-z0-9_] replaced by '_', not starting with a digit. */
  static String schemaNamePart(String name) {
    String cleaned = name.replaceAll("[^A-Za-z0-9_]", "_");
    return cleaned.isEmpty() || Character.isDigit(cleaned.charAt(0)) ? "_" + cleaned : cleaned;
  }
}
