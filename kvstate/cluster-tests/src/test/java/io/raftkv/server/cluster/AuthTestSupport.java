package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.raftkv.api.AuthRpc;
import io.raftkv.api.AuthenticateRequest;
import io.raftkv.api.ErrorTrailers;
import io.raftkv.api.KeyRange;
import io.raftkv.api.Permission;
import io.raftkv.client.RaftKvClient;
import io.raftkv.testkit.InProcessCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Users, roles and raw calls carrying a token, for the auth cluster tests. */
final class AuthTestSupport {
  static final char[] ADMIN_PASSWORD = "admin-secret".toCharArray();

  private AuthTestSupport() {}

  static Permission prefix(String prefix, Permission.Access access) {
    return Permission.newBuilder().setAccess(access).setPrefix(ByteString.copyFromUtf8(prefix)).build();
  }

  static Permission range(String start, String end, Permission.Access access) {
    return Permission.newBuilder().setAccess(access).setRange(KeyRange.newBuilder()
        .setStart(ByteString.copyFromUtf8(start)).setEnd(ByteString.copyFromUtf8(end))).build();
  }

  /**
   * Gives the built-in admin a password, adds roles reader (read orders/) and writer (read-write orders/),
   * users sink (reader) and loader (writer), each with password "pw-NAME", then turns authentication on.
   */
  static void setUpUsersAndEnable(RaftKvClient anyone) {
    anyone.auth().changePassword("admin", ADMIN_PASSWORD);
    anyone.auth().addRole("reader");
    anyone.auth().grantPermission("reader", prefix("orders/", Permission.Access.READ));
    anyone.auth().addRole("writer");
    anyone.auth().grantPermission("writer", prefix("orders/", Permission.Access.READWRITE));
    anyone.auth().addUser("sink", "pw-sink".toCharArray());
    anyone.auth().grantRole("sink", "reader");
    anyone.auth().addUser("loader", "pw-loader".toCharArray());
    anyone.auth().grantRole("loader", "writer");
    anyone.auth().enable();
  }

  /** A client of every node calling as {@code user}. */
  static RaftKvClient clientAs(InProcessCluster cluster, String user, char[] password) {
    try {
      return RaftKvClient.builder(cluster.clientAddresses()).deadline(Duration.ofSeconds(20))
          .credentials(user, password).build();
    } catch (io.raftkv.api.tls.BadTlsFileException e) {
      throw new IllegalStateException("a plaintext client has no TLS files to refuse", e);
    }
  }

  /** A client of every node calling as nobody. */
  static RaftKvClient anonymous(InProcessCluster cluster) {
    return RaftKvClient.connect(cluster.clientAddresses(), Duration.ofSeconds(20));
  }

  /** Raw calls to one node, each carrying a token (or none). */
  static final class RawNode implements AutoCloseable {
    private final ManagedChannel channel;

    RawNode(InProcessCluster cluster, long id) {
      channel = Grpc.newChannelBuilder(cluster.members().get(id).getClientAddress(),
          InsecureChannelCredentials.create()).build();
    }

    String authenticate(String user, String password) {
      return call(null, AuthRpc.AUTHENTICATE, AuthenticateRequest.newBuilder().setUser(user)
          .setPassword(ByteString.copyFromUtf8(password)).build()).getToken();
    }

    <Q, R> R call(String token, MethodDescriptor<Q, R> method, Q request) {
      Metadata headers = new Metadata();
      if (token != null) {
        headers.put(AuthRpc.TOKEN, token);
      }
      return ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(channel,
          MetadataUtils.newAttachHeadersInterceptor(headers)), method,
          CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), request);
    }

    @Override
    public void close() {
      channel.shutdownNow();
    }
  }

  /** The Error code a failed raw call carried. */
  static io.raftkv.api.Error.Code codeOf(Throwable t) {
    return ErrorTrailers.fromThrowable(t).getCode();
  }

  static List<String> names(List<io.raftkv.api.User> users) {
    return users.stream().map(io.raftkv.api.User::getName).toList();
  }
}
