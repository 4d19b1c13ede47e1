package io.raftkv.client;

import io.raftkv.api.Error;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Waiting on the client's futures in the caller's thread, their failure thrown as a {@link RaftKvException}. */
final class Futures {
  private Futures() {}

  /** The future's value, or its {@link RaftKvException} thrown in the caller's thread. */
  static <R> R await(CompletableFuture<R> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(false);
      throw new RaftKvException(Error.Code.UNAVAILABLE, "interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e.getCause());
      if (cause instanceof RaftKvException r) {
        throw r;
      }
      throw new RaftKvException(Error.Code.UNKNOWN, String.valueOf(cause), cause);
    }
  }

  /** The failure inside a {@link CompletionException}, or {@code t} itself. */
  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
