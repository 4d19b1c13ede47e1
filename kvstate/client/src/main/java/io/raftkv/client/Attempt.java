package io.raftkv.client;

import java.util.concurrent.CompletableFuture;

/** One try of a call against one node: its future fails with a {@link RaftKvException}. */
@FunctionalInterface
interface Attempt<R> {
  CompletableFuture<R> call(String target, long deadlineNanos);
}
