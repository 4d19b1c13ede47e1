package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.server.statemachine.pb.StoredValue;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the change events a write produces, one per changed key in operation order. Only their
 * construction lives here: the change feed owns how they are stored and served.
 */
final class ChangeEvents {
  private ChangeEvents() {}

  /**
   * The change of {@code key} from {@code before} to {@code after} (null: absent), without its position
   * yet; the before value only while the entry's before-image {@code budget} lasts.
   */
  static ChangeEvent.Builder change(ByteString key, StoredValue before, StoredValue after, ValueBudget budget) {
    ChangeEvent.Builder event = ChangeEvent.newBuilder().setKey(key)
        .setOp(before == null ? ChangeEvent.Op.CREATE : after == null ? ChangeEvent.Op.DELETE : ChangeEvent.Op.UPDATE);
    if (before != null) {
      if (budget.take(before.getValue().size())) {
        event.setBefore(StoredValues.toKeyValue(key, before));
      } else {
        event.setBefore(StoredValues.versionsOnly(key, before)).setBeforeOmitted(true);
      }
    }
    if (after != null) {
      event.setAfter(StoredValues.toKeyValue(key, after));
    }
    return event;
  }

  /** The entry's changes with their position: its index and term, each one's sub-sequence, the proposal time. */
  static List<ChangeEvent> positioned(List<ChangeEvent.Builder> changes, long index, long term, long proposedAtMs) {
    List<ChangeEvent> events = new ArrayList<>(changes.size());
    for (int sub = 0; sub < changes.size(); sub++) {
      events.add(changes.get(sub).setIndex(index).setSubSequence(sub).setTerm(term)
          .setProposedAtMs(proposedAtMs).build());
    }
    return events;
  }
}
