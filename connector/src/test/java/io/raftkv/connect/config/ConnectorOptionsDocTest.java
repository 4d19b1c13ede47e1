package io.raftkv.connect.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * docs/connector-options.md is generated from the connectors' ConfigDefs, so it cannot drift from them:
 * this test fails when the file differs from what the ConfigDefs say, and rewrites it when run with
 * -Draftkv.docs.write=true.
 */
class ConnectorOptionsDocTest {
  private static final Path DOC = Path.of(System.getProperty("raftkv.repo", "..")).resolve("docs/connector-options.md");

  @Test
  void optionsDocumentMatchesTheConfigDefs() throws IOException {
    String generated = document();
    if (Boolean.getBoolean("raftkv.docs.write")) {
      Files.writeString(DOC, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(DOC)).as("%s is missing; generate it with: mvn -B -pl connector test"
        + " -Dtest=ConnectorOptionsDocTest -Draftkv.docs.write=true", DOC).isTrue();
    assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
        .as("%s is out of date with the ConfigDefs; regenerate it with: mvn -B -pl connector test"
            + " -Dtest=ConnectorOptionsDocTest -Draftkv.docs.write=true", DOC)
        .isEqualTo(generated);
  }

  static String document() {
    StringBuilder out = new StringBuilder();
    out.append("# Connector options\n\n")
        .append("Generated from the connectors' `ConfigDef`s by `ConnectorOptionsDocTest` (which fails when this file\n")
        .append("is out of date). Besides these, each connector takes Kafka Connect's own options (`name`,\n")
        .append("`connector.class`, `tasks.max`, converters, `transforms`, `errors.*`, ...).\n\n");
    section(out, "Sink: `io.raftkv.connect.sink.RaftKvSinkConnector`", RaftKvSinkConfig.CONFIG_DEF);
    section(out, "Source: `io.raftkv.connect.source.RaftKvSourceConnector`", RaftKvSourceConfig.CONFIG_DEF);
    return out.toString();
  }

  private static void section(StringBuilder out, String title, ConfigDef def) {
    out.append("## ").append(title).append("\n\n");
    List<String> groups = new ArrayList<>(def.groups());
    List<ConfigDef.ConfigKey> keys = new ArrayList<>(def.configKeys().values());
    keys.sort(Comparator.<ConfigDef.ConfigKey>comparingInt(k -> k.group == null ? Integer.MAX_VALUE
        : groups.indexOf(k.group)).thenComparingInt(k -> k.orderInGroup).thenComparing(k -> k.name));
    String group = null;
    for (ConfigDef.ConfigKey key : keys) {
      String keyGroup = key.group == null ? "Other" : key.group;
      if (!keyGroup.equals(group)) {
        group = keyGroup;
        out.append("### ").append(group).append("\n\n")
            .append("| option | type | default | valid values | importance | description |\n")
            .append("| --- | --- | --- | --- | --- | --- |\n");
      }
      out.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase())
          .append(" | ").append(defaultOf(key)).append(" | ").append(validValues(key)).append(" | ")
          .append(key.importance.name().toLowerCase()).append(" | ").append(cell(key.documentation))
          .append(" |\n");
      if (keys.indexOf(key) == keys.size() - 1 || !keyGroup.equals(nextGroup(keys, key))) {
        out.append('\n');
      }
    }
  }

  private static String nextGroup(List<ConfigDef.ConfigKey> keys, ConfigDef.ConfigKey key) {
    ConfigDef.ConfigKey next = keys.get(keys.indexOf(key) + 1);
    return next.group == null ? "Other" : next.group;
  }

  private static String defaultOf(ConfigDef.ConfigKey key) {
    if (!key.hasDefault()) {
      return "(required)";
    }
    Object value = key.defaultValue;
    if (value == null) {
      return "(none)";
    }
    String text = ConfigDef.convertToString(value, key.type);
    return text.isEmpty() ? "\"\"" : "`" + cell(text) + "`";
  }

  private static String validValues(ConfigDef.ConfigKey key) {
    if (key.validator == null) {
      return "";
    }
    String text = key.validator.toString();
    // A validator without a description would print its identity, which changes from run to run.
    return text.matches(".*@[0-9a-f]+$") ? "" : cell(text);
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }
}
