package io.raftkv.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** etcd through jetcd: puts, and gets that are linearizable (jetcd's default, not serializable). */
final class EtcdStore implements KvStore {
  private final Client client;
  private final KV kv;

  private EtcdStore(Client client) {
    this.client = client;
    this.kv = client.getKVClient();
  }

  /** A client for {@code endpoints} ("http://host:port"); jetcd balances requests over them. */
  static EtcdStore connect(List<String> endpoints) {
    return new EtcdStore(Client.builder().endpoints(endpoints.toArray(String[]::new)).build());
  }

  @Override
  public CompletableFuture<?> put(byte[] key, byte[] value) {
    return kv.put(ByteSequence.from(key), ByteSequence.from(value));
  }

  @Override
  public CompletableFuture<?> get(byte[] key) {
    return kv.get(ByteSequence.from(key)).thenApply(response -> {
      if (response.getKvs().isEmpty()) {
        throw new MissingKeyException("etcd", key);
      }
      return response;
    });
  }

  @Override
  public void close() {
    client.close();
  }
}
