package io.raftkv.server.service;

import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The writes a node is working on, by request id (client id, sequence): a client's retry of a write still in
 * flight (its attempt timed out while the write queued behind others) joins the first one's answer instead
 * of being proposed again. Under overload such retries would otherwise multiply the work per write.
 */
final class InFlightWrites {
  private record Id(long clientId, long sequence) {}

  private final ConcurrentHashMap<Id, CompletableFuture<WriteResponse>> writes = new ConcurrentHashMap<>();

  /** The answer of the same request already in flight, or null. */
  CompletableFuture<WriteResponse> find(WriteRequest request) {
    return request.getClientId() == 0 ? null : writes.get(new Id(request.getClientId(), request.getSequence()));
  }

  /** Remembers {@code answer} as the request's until it completes. */
  void track(WriteRequest request, CompletableFuture<WriteResponse> answer) {
    if (request.getClientId() == 0 || answer.isDone()) {
      return;
    }
    Id id = new Id(request.getClientId(), request.getSequence());
    writes.put(id, answer);
    answer.whenComplete((value, failure) -> writes.remove(id, answer));
  }

  int size() {
    return writes.size();
  }
}
