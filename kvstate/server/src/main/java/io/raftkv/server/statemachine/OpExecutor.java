package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import io.raftkv.api.CasOp;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Error;
import io.raftkv.api.Op;
import io.raftkv.api.OpResult;
import io.raftkv.api.WriteResponse;
import io.raftkv.server.feed.ChangeEvents;
import io.raftkv.server.statemachine.pb.Command;
import io.raftkv.server.statemachine.pb.StoredValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one command's operations atomically against the round's view of the data (all of them, or none
 * if a compare-and-set does not match), within {@link KvLimits} and the budgets of {@link ApplyLimits},
 * and returns what it would write, its change events and its answer; it stages nothing itself.
 */
final class OpExecutor {
  private final KvLimits limits;
  private final ApplyLimits applyLimits;
  private final KvReader reader;
  /** Runs before each operation is executed: a seam for tests to make applying an operation fail. */
  private Consumer<Op> beforeOp = op -> { };

  OpExecutor(KvLimits limits, ApplyLimits applyLimits, KvReader reader) {
    this.limits = limits;
    this.applyLimits = applyLimits;
    this.reader = reader;
  }

  /** Replaces the hook run before each operation is executed (tests: make an operation fail). */
  void beforeEachOp(Consumer<Op> hook) {
    this.beforeOp = hook;
  }

  /**
   * Executes the command applied at {@code index} in {@code term}, reading keys as {@code batch}'s round
   * sees them. Each change becomes a change event, in the order of the operations.
   */
  Execution execute(ApplyBatch batch, long index, long term, Command command) {
    WriteOutcome invalid = violation(command);
    if (invalid != null) {
      return Execution.answerOnly(invalid);
    }
    List<Op> ops = command.getOpsList();
    boolean withPrevious = !command.getOmitPrevious();
    ValueBudget previous = new ValueBudget(withPrevious ? applyLimits.maxPreviousBytesPerWrite() : 0);
    ValueBudget beforeImages = new ValueBudget(applyLimits.maxBeforeBytesPerEntry());
    Map<ByteString, StoredValue> staged = new HashMap<>();
    List<OpResult> results = new ArrayList<>(ops.size());
    List<ChangeEvent.Builder> changes = new ArrayList<>(ops.size());
    boolean allMatched = true;
    for (Op op : ops) {
      beforeOp.accept(op);
      switch (op.getOpCase()) {
        case PUT -> {
          ByteString key = op.getPut().getKey();
          StoredValue before = read(batch, staged, key);
          StoredValue after = written(op.getPut().getValue(), before, index);
          staged.put(key, after);
          changes.add(ChangeEvents.change(key, before, after, beforeImages::take));
          results.add(result(true, key, before, withPrevious, previous).setVersion(index).build());
        }
        case DELETE -> {
          ByteString key = op.getDelete().getKey();
          StoredValue before = read(batch, staged, key);
          staged.put(key, ApplyBatch.ABSENT);
          if (before != null) {
            changes.add(ChangeEvents.change(key, before, null, beforeImages::take));
          }
          results.add(result(true, key, before, withPrevious, previous).build());
        }
        case CAS -> {
          CasOp cas = op.getCas();
          StoredValue before = read(batch, staged, cas.getKey());
          boolean matched = matches(cas, before);
          OpResult.Builder result = result(matched, cas.getKey(), before, withPrevious, previous);
          if (matched) {
            if (cas.getDeleteKey()) {
              staged.put(cas.getKey(), ApplyBatch.ABSENT);
              if (before != null) {
                changes.add(ChangeEvents.change(cas.getKey(), before, null, beforeImages::take));
              }
            } else {
              StoredValue after = written(cas.getNewValue(), before, index);
              staged.put(cas.getKey(), after);
              changes.add(ChangeEvents.change(cas.getKey(), before, after, beforeImages::take));
              result.setVersion(index);
            }
          } else {
            allMatched = false;
          }
          results.add(result.build());
        }
        default -> throw new IllegalStateException("validated op without a kind");
      }
    }
    if (!allMatched) {
      List<OpResult> unapplied = new ArrayList<>(results.size());
      for (OpResult r : results) {
        unapplied.add(r.toBuilder().setVersion(0).build());
      }
      return Execution.answerOnly(WriteOutcome.succeeded(WriteResponse.newBuilder().setIndex(index)
          .setApplied(false).addAllResults(unapplied).setPreviousTruncated(previous.exhausted()).build()));
    }
    WriteOutcome answer = WriteOutcome.succeeded(WriteResponse.newBuilder().setIndex(index).setApplied(true)
        .addAllResults(results).setPreviousTruncated(previous.exhausted()).build());
    return new Execution(answer, Collections.unmodifiableMap(staged),
        ChangeEvents.positioned(changes, index, term, command.getProposedAtMs()));
  }

  /**
   * Why the replicated command may not run, as its answer, or null if it may. Checked again here, on the
   * command, so the bounds of ApplyLimits hold whoever proposed it.
   */
  private WriteOutcome violation(Command command) {
    List<Op> ops = command.getOpsList();
    if (ops.isEmpty() || ops.size() > limits.maxOpsPerWrite()) {
      return WriteOutcome.failed(Error.Code.INVALID_ARGUMENT, "a write has " + ops.size()
          + " operations; 1 to " + limits.maxOpsPerWrite() + " are allowed");
    }
    for (int i = 0; i < ops.size(); i++) {
      String problem = limits.violation(ops.get(i));
      if (problem != null) {
        return WriteOutcome.failed(Error.Code.INVALID_ARGUMENT, ops.size() == 1 ? problem : "operation " + i + ": " + problem);
      }
    }
    long opsBytes = command.getSerializedSize();
    if (opsBytes > limits.maxWriteBytes() + 64L) { // 64: the command's fields besides the ops
      return WriteOutcome.failed(Error.Code.INVALID_ARGUMENT, "a write is " + opsBytes + " bytes; at most "
          + limits.maxWriteBytes() + " are allowed");
    }
    return null;
  }

  /** The record of a key given {@code value} at {@code index}: created then unless it existed before. */
  private static StoredValue written(ByteString value, StoredValue before, long index) {
    return StoredValue.newBuilder().setValue(value).setVersion(index)
        .setCreateVersion(before == null ? index : before.getCreateVersion()).build();
  }

  /**
   * An op's result without its version yet; with the key as it was before only if the client wants it,
   * and its value only while the answer's budget lasts.
   */
  private static OpResult.Builder result(boolean matched, ByteString key, StoredValue before, boolean withPrevious,
      ValueBudget budget) {
    OpResult.Builder result = OpResult.newBuilder().setMatched(matched);
    if (!withPrevious) {
      return result;
    }
    if (before == null || budget.take(before.getValue().size())) {
      return result.setPrevious(StoredValues.toKeyValue(key, before));
    }
    return result.setPrevious(StoredValues.versionsOnly(key, before)).setPreviousOmitted(true);
  }

  private static boolean matches(CasOp cas, StoredValue current) {
    return switch (cas.getExpectedCase()) {
      case EXPECTED_VALUE -> current != null && current.getValue().equals(cas.getExpectedValue());
      case EXPECTED_VERSION -> (current == null ? 0 : current.getVersion()) == cas.getExpectedVersion();
      case EXPECTED_NOT_SET -> false;
    };
  }

  /** The key's current record as seen by this round: an earlier op of this command, of the round, or applied. */
  private StoredValue read(ApplyBatch batch, Map<ByteString, StoredValue> staged, ByteString key) {
    StoredValue v = staged.get(key);
    if (v == null) {
      v = batch.value(key);
    }
    if (v == null) {
      return reader.readThrough(key);
    }
    return v == ApplyBatch.ABSENT ? null : v;
  }
}
