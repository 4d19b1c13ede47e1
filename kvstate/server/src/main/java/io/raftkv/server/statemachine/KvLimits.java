package io.raftkv.server.statemachine;

import io.raftkv.api.CasOp;
import io.raftkv.api.Op;
import io.raftkv.api.WriteRequest;
import com.google.protobuf.ByteString;

/**
 * Size limits on what clients may write; a request over them is refused with a message naming the limit.
 *
 * @param maxKeyBytes longest key
 * @param maxValueBytes longest value
 * @param maxOpsPerWrite most operations in one atomic write
 * @param maxWriteBytes largest write request (keys, values and overhead)
 */
public record KvLimits(int maxKeyBytes, int maxValueBytes, int maxOpsPerWrite, int maxWriteBytes) {
  /** 4 KiB keys, 1 MiB values, 10,000 operations and 8 MiB per write. */
  public static final KvLimits DEFAULT = new KvLimits(4 * 1024, 1024 * 1024, 10_000, 8 * 1024 * 1024);

  public KvLimits {
    if (maxKeyBytes < 1 || maxValueBytes < 0 || maxOpsPerWrite < 1 || maxWriteBytes < 1) {
      throw new IllegalArgumentException("limits must be positive: " + maxKeyBytes + ", " + maxValueBytes
          + ", " + maxOpsPerWrite + ", " + maxWriteBytes);
    }
  }

  /** Why {@code request} cannot be accepted, or null if it is fine. */
  public String violation(WriteRequest request) {
    if (request.getOpsCount() == 0) {
      return "a write needs at least one operation";
    }
    if (request.getOpsCount() > maxOpsPerWrite) {
      return "a write has " + request.getOpsCount() + " operations; at most " + maxOpsPerWrite + " are allowed";
    }
    if (request.getSerializedSize() > maxWriteBytes) {
      return "a write is " + request.getSerializedSize() + " bytes; at most " + maxWriteBytes + " are allowed";
    }
    for (int i = 0; i < request.getOpsCount(); i++) {
      String problem = violation(request.getOps(i));
      if (problem != null) {
        return "operation " + i + ": " + problem;
      }
    }
    return null;
  }

  /** Why {@code op} cannot be applied, or null if it is fine. */
  public String violation(Op op) {
    return switch (op.getOpCase()) {
      case PUT -> keyViolation(op.getPut().getKey()) != null
          ? keyViolation(op.getPut().getKey())
          : valueViolation(op.getPut().getValue());
      case DELETE -> keyViolation(op.getDelete().getKey());
      case CAS -> casViolation(op.getCas());
      case OP_NOT_SET -> "operation has no put, delete or cas";
    };
  }

  private String casViolation(CasOp cas) {
    String key = keyViolation(cas.getKey());
    if (key != null) {
      return key;
    }
    if (cas.getExpectedCase() == CasOp.ExpectedCase.EXPECTED_NOT_SET) {
      return "compare-and-set needs expected_value or expected_version";
    }
    if (cas.getDeleteKey() && !cas.getNewValue().isEmpty()) {
      return "compare-and-set cannot both delete the key and set new_value";
    }
    if (cas.getExpectedCase() == CasOp.ExpectedCase.EXPECTED_VALUE) {
      String expected = valueViolation(cas.getExpectedValue());
      if (expected != null) {
        return "expected_value: " + expected;
      }
    }
    return valueViolation(cas.getNewValue());
  }

  /** Why {@code key} is not a valid key, or null. */
  public String keyViolation(ByteString key) {
    if (key.isEmpty()) {
      return "key is empty; keys are 1 to " + maxKeyBytes + " bytes";
    }
    if (key.size() > maxKeyBytes) {
      return "key is " + key.size() + " bytes; at most " + maxKeyBytes + " are allowed";
    }
    return null;
  }

  private String valueViolation(ByteString value) {
    if (value.size() > maxValueBytes) {
      return "value is " + value.size() + " bytes; at most " + maxValueBytes + " are allowed";
    }
    return null;
  }
}
