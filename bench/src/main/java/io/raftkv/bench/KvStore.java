package io.raftkv.bench;

import java.util.concurrent.CompletableFuture;

/** A store under test as its own Java client sees it: asynchronous puts and linearizable gets. */
public interface KvStore extends AutoCloseable {
  /** Sets {@code key}; completes once the store acknowledged the write as committed. */
  CompletableFuture<?> put(byte[] key, byte[] value);

  /** A linearizable read of {@code key}; fails if the key is absent (the workload reads existing keys only). */
  CompletableFuture<?> get(byte[] key);

  /** Starts {@code op} on {@code key}. */
  default CompletableFuture<?> start(Operation op, byte[] key, byte[] value) {
    return op == Operation.PUT ? put(key, value) : get(key);
  }

  @Override
  void close();
}
