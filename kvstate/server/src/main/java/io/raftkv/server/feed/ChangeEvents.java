package io.raftkv.server.feed;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.KeyValue;
import io.raftkv.server.statemachine.pb.StoredValue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The change feed's records: the change events a write produces (one per changed key, in operation order),
 * which the state machine stores with the data, and the READ rows of an initial snapshot.
 */
public final class ChangeEvents {
  private ChangeEvents() {}

  /**
   * The change of {@code key} from {@code before} to {@code after} (null: absent), without its position
   * yet; the before value only if {@code takeBeforeValue} grants its size (the entry's before-image budget,
   * charged as it grants).
   */
  public static ChangeEvent.Builder change(ByteString key, StoredValue before, StoredValue after,
      IntPredicate takeBeforeValue) {
    ChangeEvent.Builder event = ChangeEvent.newBuilder().setKey(key)
        .setOp(before == null ? ChangeEvent.Op.CREATE : after == null ? ChangeEvent.Op.DELETE : ChangeEvent.Op.UPDATE);
    if (before != null) {
      if (takeBeforeValue.test(before.getValue().size())) {
        event.setBefore(keyValue(key, before));
      } else {
        event.setBefore(versionsOnly(key, before)).setBeforeOmitted(true);
      }
    }
    if (after != null) {
      event.setAfter(keyValue(key, after));
    }
    return event;
  }

  /** The entry's changes with their position: its index and term, each one's sub-sequence, the proposal time. */
  public static List<ChangeEvent> positioned(List<ChangeEvent.Builder> changes, long index, long term,
      long proposedAtMs) {
    List<ChangeEvent> events = new ArrayList<>(changes.size());
    for (int sub = 0; sub < changes.size(); sub++) {
      events.add(changes.get(sub).setIndex(index).setSubSequence(sub).setTerm(term)
          .setProposedAtMs(proposedAtMs).build());
    }
    return events;
  }

  /** The row of {@code key} in an initial snapshot taken at applied index {@code index}. */
  static ChangeEvent snapshotRow(long index, ByteString key, StoredValue value) {
    return ChangeEvent.newBuilder().setIndex(index).setOp(ChangeEvent.Op.READ).setKey(key)
        .setAfter(keyValue(key, value)).build();
  }

  private static KeyValue keyValue(ByteString key, StoredValue v) {
    return KeyValue.newBuilder().setKey(key).setValue(v.getValue()).setVersion(v.getVersion())
        .setCreateVersion(v.getCreateVersion()).build();
  }

  private static KeyValue versionsOnly(ByteString key, StoredValue v) {
    return KeyValue.newBuilder().setKey(key).setVersion(v.getVersion()).setCreateVersion(v.getCreateVersion()).build();
  }
}
