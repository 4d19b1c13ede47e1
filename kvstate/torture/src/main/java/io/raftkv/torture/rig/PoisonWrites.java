package io.raftkv.torture.rig;

import com.google.protobuf.ByteString;
import io.raftkv.api.CasOp;
import io.raftkv.api.DeleteOp;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Legal writes with the largest answers and apply work the default limits allow (1 MiB values, 10,000
 * operations per write): 10,000 compare-and-sets that do not match on a key holding a 1 MiB value, each
 * answer carrying that value; one write replacing several 1 MiB values with new ones (answers and change
 * events carry both); one write deleting them all. A node must answer
 * them (or refuse them the same way on every replica) and keep serving; the values go through the ledger
 * so the final checks see every event they caused.
 */
final class PoisonWrites {
  static final int VALUE_BYTES = 1024 * 1024;
  static final int OPS_PER_WRITE = 10_000;
  static final int BIG_KEYS = 6;
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  /** What one round did: writes answered, and the ones that failed or were refused with their reasons. */
  record Result(int answered, List<String> failures) {}

  /** The cluster's client addresses now: a wiped node comes back under a new port. */
  private final Supplier<List<String>> endpoints;
  private final RigClients clients;
  private final ValueLedger ledger;
  private int rounds;

  PoisonWrites(Supplier<List<String>> endpoints, RigClients clients, ValueLedger ledger) {
    this.endpoints = endpoints;
    this.clients = clients;
    this.ledger = ledger;
  }

  /** Sends one round of poison writes, one at a time. */
  Result round() {
    int round = ++rounds;
    int answered = 0;
    List<String> failures = new ArrayList<>();
    try (RaftKvClient client = clients.connect(endpoints.get(), DEADLINE)) {
      List<ByteString> bigKeys = new ArrayList<>();
      for (int k = 0; k < BIG_KEYS; k++) {
        bigKeys.add(ByteString.copyFromUtf8("poison-" + k));
        answered += putAll(client, bigKeys.subList(k, k + 1), "p" + round + "a", failures);
      }
      answered += send(client, unmatchedCompareAndSets(bigKeys.get(0), round), failures) ? 1 : 0;
      answered += putAll(client, bigKeys, "p" + round + "b", failures);
      List<Op> deletes = new ArrayList<>();
      for (ByteString key : bigKeys) {
        deletes.add(Op.newBuilder().setDelete(DeleteOp.newBuilder().setKey(key)).build());
      }
      answered += send(client, deletes, failures) ? 1 : 0;
    }
    return new Result(answered, failures);
  }

  /**
   * Compare-and-sets on {@code key} expecting a value it never holds: none matches, yet each answer reports
   * the key's current value. Their new value goes through the ledger, so a match would show as a violation.
   */
  private List<Op> unmatchedCompareAndSets(ByteString key, int round) {
    int count = OPS_PER_WRITE;
    ByteString never = ByteString.copyFromUtf8("never-" + round);
    ByteString newValue = ByteString.copyFromUtf8("poison-cas-" + round + "-" + key.toStringUtf8());
    ledger.attempt(key, newValue);
    List<Op> ops = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ops.add(Op.newBuilder().setCas(CasOp.newBuilder().setKey(key).setExpectedValue(never).setNewValue(newValue))
          .build());
    }
    return ops;
  }

  /** One write putting a fresh 1 MiB value under each key: its answer and events carry the values it replaces. */
  private int putAll(RaftKvClient client, List<ByteString> keys, String tag, List<String> failures) {
    List<Op> puts = new ArrayList<>();
    List<ByteString> values = new ArrayList<>();
    for (ByteString key : keys) {
      ByteString value = bigValue(tag + "-" + key.toStringUtf8());
      ledger.attempt(key, value);
      values.add(value);
      puts.add(Op.newBuilder().setPut(PutOp.newBuilder().setKey(key).setValue(value)).build());
    }
    if (!send(client, puts, failures)) {
      return 0;
    }
    values.forEach(ledger::acknowledge);
    return 1;
  }

  private static boolean send(RaftKvClient client, List<Op> ops, List<String> failures) {
    try {
      client.write(ops, true);
      return true;
    } catch (RaftKvException e) {
      failures.add(e.code() + ": " + e.getMessage());
      return false;
    }
  }

  private static ByteString bigValue(String unique) {
    byte[] bytes = new byte[VALUE_BYTES];
    java.util.Arrays.fill(bytes, (byte) 'v');
    byte[] head = (unique + "-").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    System.arraycopy(head, 0, bytes, 0, head.length);
    return ByteString.copyFrom(bytes);
  }
}
