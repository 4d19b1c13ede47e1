package io.raftkv.bench;

import com.google.protobuf.ByteString;
import io.raftkv.api.ReadConsistency;
import io.raftkv.client.RaftKvClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** RaftKV through its Java client: {@code putAsync}, and {@code getAsync} with LINEARIZABLE consistency. */
final class RaftKvStore implements KvStore {
  /** How long the client retries one request (leader changes, redirects) before it fails it. */
  private static final Duration REQUEST_DEADLINE = Duration.ofSeconds(30);

  private final RaftKvClient client;

  private RaftKvStore(RaftKvClient client) {
    this.client = client;
  }

  /** A client for {@code endpoints} ("host:port" client addresses). */
  static RaftKvStore connect(List<String> endpoints) {
    return new RaftKvStore(RaftKvClient.connect(endpoints, REQUEST_DEADLINE));
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return client.putAsync(ByteString.copyFrom(key), ByteString.copyFrom(value));
  }

  @Override
  public CompletableFuture<?> get(byte[] key) {
    return client.getAsync(ByteString.copyFrom(key), ReadConsistency.LINEARIZABLE).thenApply(found -> {
      if (found.isEmpty()) {
        throw new MissingKeyException("raftkv", key);
      }
      return found;
    });
  }

  @Override
  public void close() {
    client.close();
  }
}
