package io.raftkv.server.peer;

import io.raftkv.server.node.NodeException;
import java.util.concurrent.CompletableFuture;

/**
 * One answer a waiter table hands back to the loop: complete {@code future} with {@code value}, or fail it
 * with {@code error}. The tables return these rather than complete futures themselves, so the loop decides
 * when callers run (after the apply round is written, never in the middle of it).
 */
record Completion<T>(CompletableFuture<T> future, T value, NodeException error) implements Runnable {
  static <T> Completion<T> success(CompletableFuture<T> future, T value) {
    return new Completion<>(future, value, null);
  }

  static <T> Completion<T> failure(CompletableFuture<T> future, NodeException error) {
    return new Completion<>(future, null, error);
  }

  @Override
  public void run() {
    if (error != null) {
      future.completeExceptionally(error);
    } else {
      future.complete(value);
    }
  }
}
