package io.raftkv.connect.config;

import com.google.protobuf.ByteString;
import io.raftkv.api.AuthStatusResponse;
import io.raftkv.api.Error;
import io.raftkv.api.ReadConsistency;
import io.raftkv.api.ScanRequest;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.util.List;
import java.util.Optional;

/**
 * Checks, once a node answered, that the cluster takes the connector for a user allowed what it needs: it asks
 * who the client is (AuthStatus, which any caller may ask) and scans at most one key under each prefix it needs.
 * That takes no admin role (listing roles would) and writes nothing, so it tells whether a user may read a prefix,
 * not whether it may also write there: a sink whose user may only read fails at its first write instead, naming
 * the user, the key and the missing permission.
 */
public final class AccessProbe {
  private AccessProbe() {}

  /** What keeps the connector's user from doing what {@code needs} say, on the option to change, or empty. */
  public static Optional<OptionProblem> problem(RaftKvClient client, SslSettings ssl, AuthSettings auth,
      List<PrefixNeed> needs) {
    AuthStatusResponse status;
    try {
      status = client.auth().status();
    } catch (RaftKvException e) {
      return e.code() == Error.Code.UNAUTHENTICATED ? Optional.of(refusedLogin(auth, "", e)) : Optional.empty();
    }
    if (!status.getEnabled()) {
      return Optional.empty(); // every caller may do everything
    }
    if (status.getUser().isEmpty()) {
      return Optional.of(new OptionProblem(RaftKvAuthConfig.USER, "the RaftKV cluster enforces authentication and "
          + "this connector calls as no user: the cluster needs a user, either a client certificate ("
          + RaftKvSslConfig.CERTIFICATE_LOCATION + " and " + RaftKvSslConfig.KEY_LOCATION + ", its common name is the"
          + " user) or " + RaftKvAuthConfig.USER + " and " + RaftKvAuthConfig.PASSWORD));
    }
    for (PrefixNeed need : needs) {
      ScanRequest oneKey = ScanRequest.newBuilder().setPrefix(ByteString.copyFromUtf8(need.prefix())).setLimit(1)
          .setKeysOnly(true).setConsistency(ReadConsistency.SERIALIZABLE).build();
      try {
        client.scan(oneKey);
      } catch (RaftKvException e) {
        if (e.code() == Error.Code.PERMISSION_DENIED) {
          return Optional.of(denied(ssl, auth, status, need, e));
        }
        return Optional.empty(); // not a question of permissions: the task will meet it and say so
      }
    }
    return Optional.empty();
  }

  /** The cluster's refusal of the password user (unknown, or a wrong password), on the password option. */
  static OptionProblem refusedLogin(AuthSettings auth, String endpoint, RaftKvException e) {
    String user = auth.user().map(AuthSettings::printable).orElse("");
    return new OptionProblem(RaftKvAuthConfig.PASSWORD, "the RaftKV " + (endpoint.isEmpty() ? "cluster"
        : "node at " + endpoint) + " refused " + (auth.passwordUser() ? "user '" + user + "' with the password given"
        : "the connector's user") + " (" + refusal(e, auth) + "): check "
        + RaftKvAuthConfig.USER + " and " + RaftKvAuthConfig.PASSWORD + ", and that the user exists with a password "
        + "(raftkv user list)");
  }

  private static OptionProblem denied(SslSettings ssl, AuthSettings auth, AuthStatusResponse status, PrefixNeed need,
      RaftKvException e) {
    String option = auth.passwordUser() || ssl.certificate().isEmpty() ? RaftKvAuthConfig.USER
        : RaftKvSslConfig.CERTIFICATE_LOCATION;
    String access = need.write() ? "readwrite" : "read";
    return new OptionProblem(option, "user '" + status.getUser() + "' (roles: " + (status.getRolesCount() == 0
        ? "none" : String.join(", ", status.getRolesList())) + ") may not read " + need.what() + " (prefix '"
        + need.prefix() + "', " + need.option() + "), and the connector needs " + access + " there ("
        + refusal(e, auth) + "). Grant it a role with that permission: raftkv role "
        + "grant ROLE --prefix '" + need.prefix() + "' --" + access + "; raftkv user grant-role " + status.getUser()
        + " ROLE");
  }

  /** The node's refusal as "CODE: message" (a refusal by the client's own credentials already opens so). */
  public static String refusal(RaftKvException e, AuthSettings auth) {
    String message = hide(e.getMessage(), auth);
    return message.startsWith(e.code() + ": ") ? message : e.code() + ": " + message;
  }

  /** {@code message} with the password, should a node ever echo it, replaced. */
  static String hide(String message, AuthSettings auth) {
    String text = String.valueOf(message);
    return auth.password().map(p -> text.replace(p.value(), "[hidden]")).orElse(text);
  }
}
