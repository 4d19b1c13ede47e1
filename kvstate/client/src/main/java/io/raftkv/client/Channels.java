package io.raftkv.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One gRPC channel per endpoint, made on first use and shut down with the client. Thread-safe. */
final class Channels implements AutoCloseable {
  /** Largest answer accepted: a batch of gets of 1 MiB values, a 4 MiB scan page, a change feed message. */
  static final int MAX_RESPONSE_BYTES = 64 << 20;

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final ChannelCredentials credentials;

  /** Channels in plaintext. */
  Channels() {
    this(InsecureChannelCredentials.create());
  }

  /** Channels made with {@code credentials} (TLS, or plaintext). */
  Channels(ChannelCredentials credentials) {
    this.credentials = credentials;
  }

  /** The channel to {@code endpoint} ("host:port"). */
  ManagedChannel to(String endpoint) {
    return channels.computeIfAbsent(endpoint,
        // Callbacks only complete futures and start the next batch call: running them on the transport's
        // thread saves a thread hand-off per call.
        e -> Grpc.newChannelBuilder(e, credentials).directExecutor()
            .maxInboundMessageSize(MAX_RESPONSE_BYTES).build());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
