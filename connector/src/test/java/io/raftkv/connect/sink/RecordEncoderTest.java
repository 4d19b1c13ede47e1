package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

class RecordEncoderTest {
  private final RecordEncoder encoder = new RecordEncoder();

  private String encode(Schema schema, Object value) {
    return new String(encoder.encode("t", schema, value), StandardCharsets.UTF_8);
  }

  @Test
  void bytesAndStringsAreWrittenAsTheyAre() {
    assertThat(encoder.encode("t", null, new byte[] {1, 2})).containsExactly(1, 2);
    assertThat(encoder.encode("t", null, ByteBuffer.wrap(new byte[] {0, 3, 4}, 1, 2))).containsExactly(3, 4);
    assertThat(encode(Schema.STRING_SCHEMA, "héllo \"x\"")).isEqualTo("héllo \"x\"");
    assertThat(encoder.encode("t", null, null)).isNull();
  }

  @Test
  void schemalessMapsAreCompactJsonWithKeysSortedAtEveryLevel() {
    Map<String, Object> inner = new HashMap<>();
    inner.put("zz", true);
    inner.put("aa", List.of(3, 1));
    Map<String, Object> outer = new HashMap<>();
    for (String k : List.of("q", "b", "x", "c", "m")) {
      outer.put(k, k.equals("m") ? inner : k);
    }
    assertThat(encode(null, outer))
        .isEqualTo("{\"b\":\"b\",\"c\":\"c\",\"m\":{\"aa\":[3,1],\"zz\":true},\"q\":\"q\",\"x\":\"x\"}");
  }

  @Test
  void structsKeepTheirSchemaFieldOrderAndLogicalTypes() {
    Schema price = Decimal.schema(2);
    Schema schema = SchemaBuilder.struct().field("name", Schema.STRING_SCHEMA).field("id", Schema.INT64_SCHEMA)
        .field("price", price).field("note", Schema.OPTIONAL_STRING_SCHEMA).build();
    Struct s = new Struct(schema).put("name", "pen").put("id", 7L).put("price", new BigDecimal("1.50"));
    assertThat(encode(schema, s)).isEqualTo("{\"name\":\"pen\",\"id\":7,\"price\":1.50,\"note\":null}");
    assertThat(encode(null, s)).as("a struct without a record schema uses its own").isEqualTo(encode(schema, s));
  }

  @Test
  void numbersAndBooleansAreJson() {
    assertThat(encode(Schema.INT32_SCHEMA, 42)).isEqualTo("42");
    assertThat(encode(null, 2.5)).isEqualTo("2.5");
    assertThat(encode(Schema.BOOLEAN_SCHEMA, false)).isEqualTo("false");
  }
}
