package io.raftkv.connect.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/** Cross-option checks of a source config that no single option's validator can see. */
public final class SourceConfigConflicts {
  /** One problem, reported on {@code option}. */
  public record Conflict(String option, String message) {}

  private SourceConfigConflicts() {}

  /**
   * Adds an error to each option in conflict with another. Options whose own value is invalid (they already
   * carry an error) are left out of these checks.
   */
  public static void check(Map<String, ConfigValue> values) {
    for (Conflict c : find(name -> {
      ConfigValue v = values.get(name);
      return v == null || !v.errorMessages().isEmpty() ? Invalid.VALUE : v.value();
    })) {
      values.get(c.option()).addErrorMessage(c.message());
    }
  }

  /**
   * Fails on the first conflict of a parsed config.
   *
   * @throws ConfigException naming the option and the problem
   */
  public static void requireNone(RaftKvSourceConfig config) {
    List<Conflict> conflicts = find(config.values()::get);
    if (!conflicts.isEmpty()) {
      Conflict first = conflicts.get(0);
      throw new ConfigException(first.option() + ": " + first.message());
    }
  }

  /** Stands for an option whose own value is invalid. */
  private enum Invalid { VALUE }

  static List<Conflict> find(Function<String, Object> value) {
    List<Conflict> out = new ArrayList<>();
    checkTopic(value, out);
    checkStartIndex(value, out);
    checkKeyPrefix(value, out);
    return out;
  }

  private static boolean valid(Object v) {
    return v != Invalid.VALUE;
  }

  private static String text(Object v) {
    return v == null ? "" : v.toString();
  }

  private static void checkTopic(Function<String, Object> value, List<Conflict> out) {
    Object topic = value.apply(RaftKvSourceConfig.TOPIC);
    Object prefix = value.apply(RaftKvSourceConfig.TOPIC_PREFIX);
    if (!valid(topic) || !valid(prefix)) {
      return;
    }
    boolean hasTopic = !text(topic).isEmpty();
    boolean hasPrefix = !text(prefix).isEmpty();
    if (hasTopic && hasPrefix) {
      String both = "both " + RaftKvSourceConfig.TOPIC + "='" + topic + "' and " + RaftKvSourceConfig.TOPIC_PREFIX
          + "='" + prefix + "' are set: set only one (" + RaftKvSourceConfig.TOPIC + " for one fixed topic, "
          + RaftKvSourceConfig.TOPIC_PREFIX + " for the topic <prefix>.<cluster name>)";
      out.add(new Conflict(RaftKvSourceConfig.TOPIC, both));
      out.add(new Conflict(RaftKvSourceConfig.TOPIC_PREFIX, both));
    } else if (!hasTopic && !hasPrefix) {
      out.add(new Conflict(RaftKvSourceConfig.TOPIC, "no topic given: set " + RaftKvSourceConfig.TOPIC
          + " (one fixed topic for every change) or " + RaftKvSourceConfig.TOPIC_PREFIX
          + " (the topic <prefix>.<cluster name>)"));
    }
  }

  private static void checkStartIndex(Function<String, Object> value, List<Conflict> out) {
    Object start = value.apply(RaftKvSourceConfig.START);
    Object index = value.apply(RaftKvSourceConfig.START_INDEX);
    if (!valid(start) || !valid(index)) {
      return;
    }
    boolean fromIndex = ConfigChoice.find(StartPosition.class, text(start)) == StartPosition.INDEX;
    if (fromIndex && index == null) {
      out.add(new Conflict(RaftKvSourceConfig.START_INDEX, RaftKvSourceConfig.START + "=index needs "
          + RaftKvSourceConfig.START_INDEX + ": the first log index to read changes from (1 or more)"));
    } else if (!fromIndex && index != null) {
      out.add(new Conflict(RaftKvSourceConfig.START_INDEX, RaftKvSourceConfig.START_INDEX + "=" + index
          + " is only read with " + RaftKvSourceConfig.START + "=index, but " + RaftKvSourceConfig.START + " is '"
          + start + "': set " + RaftKvSourceConfig.START + "=index or remove " + RaftKvSourceConfig.START_INDEX));
    }
  }

  private static void checkKeyPrefix(Function<String, Object> value, List<Conflict> out) {
    Object prefix = value.apply(RaftKvSourceConfig.KEY_PREFIX);
    Object internal = value.apply(RaftKvSourceConfig.INCLUDE_INTERNAL);
    if (!valid(prefix) || !valid(internal)) {
      return;
    }
    if (text(prefix).startsWith(KeyPrefixes.RESERVED_NAMESPACE) && !Boolean.TRUE.equals(internal)) {
      out.add(new Conflict(RaftKvSourceConfig.KEY_PREFIX, RaftKvSourceConfig.KEY_PREFIX + "='" + prefix
          + "' lies under " + KeyPrefixes.RESERVED_NAMESPACE + ", whose keys are skipped unless "
          + RaftKvSourceConfig.INCLUDE_INTERNAL + "=true: set that, or choose another prefix"));
    }
  }
}
