package io.raftkv.torture.rig;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The change-feed rules of a run: each replica's feed is in order with no gap and no duplicate, every
 * replica's feed is the same sequence, every written value was sent by a client for that key and applied
 * at most once, and every acknowledged value exactly once.
 */
final class FeedChecks {
  private FeedChecks() {}

  /** Order rules within one feed: (index, sub-sequence) strictly increasing, sub-sequences 0, 1, 2, ... */
  static void checkOrder(String node, List<ChangeEvent> feed, Findings findings) {
    ChangeEvent previous = null;
    for (ChangeEvent e : feed) {
      if (previous != null) {
        boolean sameEntry = e.getIndex() == previous.getIndex();
        if (e.getIndex() < previous.getIndex() || (sameEntry && e.getSubSequence() <= previous.getSubSequence())) {
          findings.violation("feed of " + node + ": " + position(e) + " comes after " + position(previous)
              + " (out of order or a duplicate)");
          return;
        }
        if (sameEntry && e.getSubSequence() != previous.getSubSequence() + 1) {
          findings.violation("feed of " + node + ": gap between " + position(previous) + " and " + position(e));
          return;
        }
        if (!sameEntry && e.getSubSequence() != 0) {
          findings.violation("feed of " + node + ": entry " + e.getIndex() + " starts at sub-sequence "
              + e.getSubSequence() + ", not 0 (a gap)");
          return;
        }
      } else if (e.getSubSequence() != 0) {
        findings.violation("feed of " + node + ": first event " + position(e) + " does not start its entry");
        return;
      }
      previous = e;
    }
  }

  /** Asserts {@code other} is exactly {@code reference}, naming the first place they differ. */
  static void checkSame(String referenceNode, List<ChangeEvent> reference, String otherNode, List<ChangeEvent> other,
      Findings findings) {
    int n = Math.min(reference.size(), other.size());
    for (int i = 0; i < n; i++) {
      if (!reference.get(i).equals(other.get(i))) {
        findings.violation("feeds differ at event " + i + ": " + referenceNode + " has " + describe(reference.get(i))
            + ", " + otherNode + " has " + describe(other.get(i)));
        return;
      }
    }
    if (reference.size() != other.size()) {
      findings.violation("feed of " + referenceNode + " has " + reference.size() + " events through the last index, "
          + otherNode + " has " + other.size());
    }
  }

  /**
   * Value rules: each value in the feed was sent by some write for that key and appears once; each
   * acknowledged value appears (exactly once).
   */
  static void checkValues(List<ChangeEvent> feed, Map<ByteString, ByteString> attempted,
      java.util.Set<ByteString> acknowledged, ByteString markerKey, Findings findings) {
    Map<ByteString, Integer> applied = new HashMap<>();
    for (ChangeEvent e : feed) {
      if (!e.hasAfter() || e.getKey().equals(markerKey)) {
        continue;
      }
      ByteString value = e.getAfter().getValue();
      if (applied.merge(value, 1, Integer::sum) == 2) {
        findings.violation("value " + value.toStringUtf8() + " applied twice (again at " + position(e) + ")");
      }
      ByteString sentFor = attempted.get(value);
      if (sentFor == null) {
        findings.violation("value " + value.toStringUtf8() + " at " + position(e) + " was never written by a client");
      } else if (!sentFor.equals(e.getKey())) {
        findings.violation("value " + value.toStringUtf8() + " was written to " + sentFor.toStringUtf8()
            + " but applied to " + e.getKey().toStringUtf8());
      }
    }
    for (ByteString value : acknowledged) {
      if (!applied.containsKey(value)) {
        findings.violation("acknowledged write of " + value.toStringUtf8() + " to "
            + attempted.get(value).toStringUtf8() + " is missing from the change feed (lost)");
      }
    }
  }

  /** Each key's value after the feed's last event, replaying it from an empty store. */
  static Map<ByteString, ByteString> replay(List<ChangeEvent> feed) {
    Map<ByteString, ByteString> state = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    for (ChangeEvent e : feed) {
      if (e.hasAfter()) {
        state.put(e.getKey(), e.getAfter().getValue());
      } else {
        state.remove(e.getKey());
      }
    }
    return state;
  }

  private static String position(ChangeEvent e) {
    return e.getIndex() + "." + e.getSubSequence();
  }

  private static String describe(ChangeEvent e) {
    return position(e) + " " + e.getOp() + " " + e.getKey().toStringUtf8()
        + (e.hasAfter() ? "=" + e.getAfter().getValue().toStringUtf8() : "");
  }
}
