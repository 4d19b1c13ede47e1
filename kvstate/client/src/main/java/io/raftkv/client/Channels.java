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
  /** The user and password each channel authenticates with, or null: calls carry no credentials. */
  private final PasswordLogin login;

  /** Channels in plaintext whose calls carry no credentials. */
  Channels() {
    this(InsecureChannelCredentials.create(), null);
  }

  /**
   * Channels made with {@code credentials} (TLS, or plaintext) whose calls carry a token for {@code login}, got
   * from each node in turn (none if null).
   */
  Channels(ChannelCredentials credentials, PasswordLogin login) {
    this.credentials = credentials;
    this.login = login;
  }

  /** A user name and password (UTF-8), kept in memory to authenticate on each node. */
  record PasswordLogin(String user, com.google.protobuf.ByteString password) {}

  /** The channel to {@code endpoint} ("host:port"). */
  ManagedChannel to(String endpoint) {
    return channels.computeIfAbsent(endpoint,
        // Callbacks only complete futures and start the next batch call: running them on the transport's
        // thread saves a thread hand-off per call.
        e -> {
          io.grpc.ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(e, credentials)
              .directExecutor().maxInboundMessageSize(MAX_RESPONSE_BYTES);
          if (login != null) {
            builder.intercept(new PasswordCredentials(login.user(), login.password()));
          }
          return builder.build();
        });
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
