package io.raftkv.connect.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The key prefix of each topic: its entry in the overrides if it has one, else the template with every
 * {@code ${topic}} replaced by the topic name.
 */
public final class KeyPrefixes {
  public static final String TOPIC_PLACEHOLDER = "${topic}";
  /** Keys under this belong to RaftKV's connectors (e.g. the sink's stored offsets); no record may write there. */
  public static final String RESERVED_NAMESPACE = "__raftkv/";
  /** The characters Kafka allows in a topic name. */
  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]+");

  private final String template;
  private final Map<String, String> overrides;

  private KeyPrefixes(String template, Map<String, String> overrides) {
    this.template = template;
    this.overrides = Map.copyOf(overrides);
  }

  /**
   * Parses the template and the {@code topic=prefix} override entries.
   *
   * @throws IllegalArgumentException naming the bad template or entry and what is allowed
   */
  public static KeyPrefixes parse(String template, List<String> overrideEntries) {
    checkTemplate(template);
    return new KeyPrefixes(template, parseOverrides(overrideEntries));
  }

  static void checkTemplate(String template) {
    checkNotReserved("'" + template + "'", template);
    String rest = template.replace(TOPIC_PLACEHOLDER, "");
    if (rest.contains("${")) {
      throw new IllegalArgumentException("'" + template + "' has a placeholder other than " + TOPIC_PLACEHOLDER
          + ": only " + TOPIC_PLACEHOLDER + " is replaced (by the record's topic)");
    }
  }

  private static void checkNotReserved(String what, String prefix) {
    if (prefix.startsWith(RESERVED_NAMESPACE)) {
      throw new IllegalArgumentException(what + " starts with " + RESERVED_NAMESPACE
          + ", which is reserved for the connectors' own state: choose another prefix");
    }
  }

  static Map<String, String> parseOverrides(List<String> entries) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("entry '" + entry + "' has no '=': expected topic=prefix");
      }
      String topic = entry.substring(0, eq).trim();
      if (!TOPIC_NAME.matcher(topic).matches()) {
        throw new IllegalArgumentException("entry '" + entry + "' names topic '" + topic
            + "': a topic name is 1 or more of a-z A-Z 0-9 . _ -");
      }
      String prefix = entry.substring(eq + 1);
      checkNotReserved("entry '" + entry + "'", prefix);
      String earlier = out.putIfAbsent(topic, prefix);
      if (earlier != null) {
        throw new IllegalArgumentException("topic '" + topic + "' is listed twice (prefixes '" + earlier + "' and '"
            + prefix + "'): give each topic one prefix");
      }
    }
    return out;
  }

  /** The prefix for records of {@code topic} (the topic after any transforms). */
  public String prefixFor(String topic) {
    String override = overrides.get(topic);
    return override != null ? override : template.replace(TOPIC_PLACEHOLDER, topic);
  }

  /** Whether the template gives each topic its own prefix. */
  public boolean templateNamesTopic() {
    return template.contains(TOPIC_PLACEHOLDER);
  }

  public String template() {
    return template;
  }

  public Map<String, String> overrides() {
    return overrides;
  }
}
