package io.raftkv.connect.source;

import io.raftkv.api.WatchRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A place in the change feed, as kept in the source offset: either right after one change ({@code index},
 * {@code subSequence}; a sub-sequence of {@link #ENTRY_END} means after the whole entry), or inside an
 * initial snapshot taken at {@code index}, which a restarted task takes again from its start.
 */
public record FeedPosition(long index, int subSequence, boolean inSnapshot) {
  /** Past every change of an entry (no entry has that many). */
  public static final int ENTRY_END = Integer.MAX_VALUE;

  static final String INDEX = "index";
  static final String SUB = "sub";
  static final String SNAPSHOT = "snapshot";

  public FeedPosition {
    if (index < 0 || subSequence < 0) {
      throw new IllegalArgumentException("feed position (" + index + ", " + subSequence + ") is negative");
    }
  }

  /** Right after the change at ({@code index}, {@code subSequence}). */
  public static FeedPosition after(long index, int subSequence) {
    return new FeedPosition(index, subSequence, false);
  }

  /** Right after every change of entry {@code index} (and of the entries before it). */
  public static FeedPosition afterEntry(long index) {
    return new FeedPosition(index, ENTRY_END, false);
  }

  /** In an initial snapshot at {@code index} (0: not yet taken). */
  public static FeedPosition snapshot(long index) {
    return new FeedPosition(index, 0, true);
  }

  /** The watch that resumes from here: a new snapshot, or the changes after this position. */
  public WatchRequest.Builder resume() {
    if (inSnapshot) {
      return WatchRequest.newBuilder().setInitialSnapshot(true);
    }
    return subSequence == ENTRY_END
        ? WatchRequest.newBuilder().setFromIndex(index + 1).setFromSubSequence(0)
        : WatchRequest.newBuilder().setFromIndex(index).setFromSubSequence(subSequence + 1);
  }

  /** The first index the resumed watch asks for (0 for a new snapshot). */
  public long nextIndex() {
    return inSnapshot ? 0 : resume().getFromIndex();
  }

  /** As a source offset: {"index": I, "sub": S}, or {"snapshot": true, "index": I} inside a snapshot. */
  public Map<String, Object> toOffset() {
    Map<String, Object> offset = new LinkedHashMap<>();
    if (inSnapshot) {
      offset.put(SNAPSHOT, true);
      offset.put(INDEX, index);
    } else {
      offset.put(INDEX, index);
      offset.put(SUB, (long) subSequence);
    }
    return offset;
  }

  /**
   * Reads a source offset as this connector writes it (numbers of any integral type).
   *
   * @throws IllegalArgumentException naming what is wrong and what an offset looks like
   */
  public static FeedPosition fromOffset(Map<String, ?> offset) {
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
      return snapshot(index);
    }
    return after(index, (int) whole(offset, SUB, 0, ENTRY_END));
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
        + "I >= 1; S = " + ENTRY_END + " for after the whole entry) or {\"" + SNAPSHOT + "\": true, \"" + INDEX
        + "\": I} (inside a snapshot, which is taken again)");
  }

  @Override
  public String toString() {
    return toOffset().toString();
  }
}
