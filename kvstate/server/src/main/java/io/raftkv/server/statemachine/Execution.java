package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.server.statemachine.pb.StoredValue;
import java.util.List;
import java.util.Map;

/**
 * What executing one command produced, not yet staged anywhere: its answer, the records it writes
 * ({@link ApplyBatch#ABSENT}: the key is deleted) and its change events, in order. A command that is
 * refused, or whose compare-and-set did not match, writes nothing and has no events.
 */
record Execution(WriteOutcome outcome, Map<ByteString, StoredValue> writes, List<ChangeEvent> events) {
  /** A command answered without changing anything. */
  static Execution answerOnly(WriteOutcome outcome) {
    return new Execution(outcome, Map.of(), List.of());
  }
}
