package io.raftkv.torture.rig;

import com.google.protobuf.ByteString;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every value the rig's clients sent and which of them were acknowledged, from the workload, the flood and
 * the poison writes alike: the feed checks hold each value in the feed against it (sent once, for that key;
 * each acknowledged one applied exactly once).
 */
final class ValueLedger {
  /** Every value any write sent (acknowledged or not), with its key: a value in the feed must be one of them. */
  private final Map<ByteString, ByteString> attempted = new ConcurrentHashMap<>();
  /** Values of acknowledged puts and matched compare-and-sets: each must be applied exactly once. */
  private final Set<ByteString> acknowledged = ConcurrentHashMap.newKeySet();

  /** Notes a value before the write that carries it is sent. */
  void attempt(ByteString key, ByteString value) {
    attempted.put(value, key);
  }

  /** Notes that the write carrying {@code value} was acknowledged as applied. */
  void acknowledge(ByteString value) {
    acknowledged.add(value);
  }

  Map<ByteString, ByteString> attemptedValues() {
    return Map.copyOf(attempted);
  }

  Set<ByteString> acknowledgedValues() {
    return Set.copyOf(acknowledged);
  }
}
