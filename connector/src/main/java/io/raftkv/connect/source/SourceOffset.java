package io.raftkv.connect.source;

import io.raftkv.api.FeedPosition;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A feed position as kept in a Connect source offset: {"index": I, "sub": S} after a change (S =
 * {@link FeedPosition#ENTRY_END}: after the whole entry), or {"snapshot": true, "index": I} inside an
 * initial snapshot, which a restarted task takes again from its start. Stored offsets must keep resuming,
 * so this encoding never changes.
 */
public final class SourceOffset {
  static final String INDEX = "index";
  static final String SUB = "sub";
  static final String SNAPSHOT = "snapshot";

  private SourceOffset() {}

  /** {@code position} as a source offset. */
  public static Map<String, Object> of(FeedPosition position) {
    Map<String, Object> offset = new LinkedHashMap<>();
    if (position.inSnapshot()) {
      offset.put(SNAPSHOT, true);
      offset.put(INDEX, position.index());
    } else {
      offset.put(INDEX, position.index());
      offset.put(SUB, (long) position.subSequence());
    }
    return offset;
  }

  /** {@code position} as its source offset reads in messages, e.g. {index=5, sub=2}. */
  static String describe(FeedPosition position) {
    return of(position).toString();
  }

  /**
   * Reads a source offset as this connector writes it (numbers of any integral type).
   *
   * @throws IllegalArgumentException naming what is wrong and what an offset looks like
   */
  public static FeedPosition toPosition(Map<String, ?> offset) {
    Object snapshot = offset.get(SNAPSHOT);
    if (snapshot != null && !(snapshot instanceof Boolean)) {
      throw bad(offset, "'" + SNAPSHOT + "' is " + snapshot + ", not true or false");
    }
    boolean inSnapshot = Boolean.TRUE.equals(snapshot);
    Set<String> allowed = inSnapshot ? Set.of(SNAPSHOT, INDEX) : Set.of(SNAPSHOT, INDEX, SUB);
    for (String key : offset.keySet()) {
      if (!allowed.contains(key)) {
        throw bad(offset, "it has the unknown field '" + key + "'");
      }
    }
    long index = whole(offset, INDEX, inSnapshot ? 0 : 1, Long.MAX_VALUE - 1);
    if (inSnapshot) {
      return FeedPosition.snapshot(index);
    }
    return FeedPosition.after(index, (int) whole(offset, SUB, 0, FeedPosition.ENTRY_END));
  }

  private static long whole(Map<String, ?> offset, String field, long min, long max) {
    Object v = offset.get(field);
    if (v == null) {
      throw bad(offset, "it has no '" + field + "'");
    }
    if (!(v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)) {
      throw bad(offset, "'" + field + "' is " + v + ", not a whole number");
    }
    long n = ((Number) v).longValue();
    if (n < min || n > max) {
      throw bad(offset, "'" + field + "' is " + n + ", outside " + min + ".." + max);
    }
    return n;
  }

  private static IllegalArgumentException bad(Map<String, ?> offset, String problem) {
    return new IllegalArgumentException("offset " + offset + " is not a RaftKV source offset: " + problem
        + ". An offset is {\"" + INDEX + "\": I, \"" + SUB + "\": S} (resume after sub-sequence S of log index I, "
        + "I >= 1; S = " + FeedPosition.ENTRY_END + " for after the whole entry) or {\"" + SNAPSHOT + "\": true, \""
        + INDEX + "\": I} (inside a snapshot, which is taken again)");
  }
}
