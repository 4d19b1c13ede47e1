package io.raftkv.server.testing;

import com.google.protobuf.ByteString;
import io.raftkv.api.CasOp;
import io.raftkv.api.DeleteOp;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;

/** Short builders of keys, values and operations for the server's tests. */
public final class Ops {
  private Ops() {}

  /** {@code s} as UTF-8 bytes. */
  public static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  public static Op put(String k, String v) {
    return Op.newBuilder().setPut(PutOp.newBuilder().setKey(b(k)).setValue(b(v))).build();
  }

  public static Op delete(String k) {
    return Op.newBuilder().setDelete(DeleteOp.newBuilder().setKey(b(k))).build();
  }

  /** A compare-and-set of {@code k} from the value {@code expected} to {@code next}. */
  public static Op casValue(String k, String expected, String next) {
    return Op.newBuilder().setCas(CasOp.newBuilder().setKey(b(k)).setExpectedValue(b(expected))
        .setNewValue(b(next))).build();
  }

  /** A compare-and-set of {@code k} from the value {@code expected} (any bytes) to {@code next}. */
  public static Op casValue(String k, ByteString expected, String next) {
    return Op.newBuilder().setCas(CasOp.newBuilder().setKey(b(k)).setExpectedValue(expected)
        .setNewValue(b(next))).build();
  }

  /** A compare-and-set of {@code k} from the version {@code expected} (0: absent) to {@code next}. */
  public static Op casVersion(String k, long expected, String next) {
    return Op.newBuilder().setCas(CasOp.newBuilder().setKey(b(k)).setExpectedVersion(expected)
        .setNewValue(b(next))).build();
  }
}
