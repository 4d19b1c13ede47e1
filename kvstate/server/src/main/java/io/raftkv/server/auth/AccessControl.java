package io.raftkv.server.auth;

import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import io.raftkv.api.tls.PeerIdentity;
import io.raftkv.server.statemachine.pb.StoredUser;
import java.util.function.Supplier;

/**
 * Decides who a client call runs as and whether it may do what it asks, against the users and roles this
 * node last applied: a certificate's user, else the user of a valid token, else nobody. Each check returns
 * the error to refuse with (PERMISSION_DENIED naming the user, the key or call and what it lacks;
 * UNAUTHENTICATED; INVALID_TOKEN), or null to go on. Thread-safe.
 */
public final class AccessControl {
  private final Supplier<AuthView> view;
  private final TokenStore tokens;
  private final boolean clientTls;

  /**
   * @param clientTls whether the client port runs TLS: while the auth flag was never set, authentication
   *     is on exactly then
   */
  public AccessControl(Supplier<AuthView> view, TokenStore tokens, boolean clientTls) {
    this.view = view;
    this.tokens = tokens;
    this.clientTls = clientTls;
  }

  public TokenStore tokens() {
    return tokens;
  }

  /** Whether this node enforces permissions now. */
  public boolean enforced() {
    return view.get().enforced(clientTls);
  }

  /** Who the call in progress runs as (read from its gRPC context). */
  public Caller caller() {
    AuthView current = view.get();
    if (!current.enforced(clientTls)) {
      return new Caller.Unrestricted();
    }
    return identify(current);
  }

  /** Who the call in progress is, whether or not authentication is on (AuthStatus tells it). */
  public Caller identify() {
    return identify(view.get());
  }

  private Caller identify(AuthView current) {
    if (PeerIdentity.current() instanceof PeerIdentity.User certificate) {
      return new Caller.Known(certificate.name(), current.grantsOf(certificate.name()));
    }
    String token = TokenInterceptor.TOKEN.get();
    if (token == null) {
      return new Caller.Anonymous();
    }
    TokenStore.Holder holder = tokens.lookup(token);
    StoredUser user = holder == null ? null : current.user(holder.user());
    if (user == null || user.getRevision() != holder.revision()) {
      if (holder != null) {
        tokens.drop(token); // the user was deleted or changed: its password or roles
      }
      return new Caller.BadToken();
    }
    return new Caller.Known(user.getName(), current.grantsOf(user.getName()));
  }

  /** Refuses unless the caller may read ({@code write} false) or write {@code key}. */
  public Error refuseKey(Caller caller, ByteString key, boolean write) {
    if (caller instanceof Caller.Known known) {
      if (known.grants().admin() || known.grants().allowsKey(key, write)) {
        return null;
      }
      String access = write ? "write" : "read";
      return denied("user '" + known.name() + "' may not " + access + " key '" + Printable.key(key) + "': it needs "
          + (write ? "readwrite" : "read") + " on it" + roles(known));
    }
    return unidentified(caller);
  }

  /** Refuses unless the caller may read every key in [start, end) (an empty end: no bound); {@code call} names it. */
  public Error refuseReadRange(Caller caller, String call, ByteString start, ByteString end) {
    if (caller instanceof Caller.Known known) {
      if (known.grants().admin() || known.grants().allowsReadRange(start, end)) {
        return null;
      }
      return denied("user '" + known.name() + "' may not " + call + " keys ['" + Printable.key(start) + "', "
          + (end.isEmpty() ? "the end of the key space" : "'" + Printable.key(end) + "'") + "): it needs read on all"
          + " of them" + roles(known));
    }
    return unidentified(caller);
  }

  /** Refuses unless the caller holds the role admin; {@code call} names the call. */
  public Error refuseUnlessAdmin(Caller caller, String call) {
    if (caller instanceof Caller.Known known) {
      return known.grants().admin() ? null : denied("user '" + known.name() + "' may not call " + call
          + ": it needs the role admin" + roles(known));
    }
    return unidentified(caller);
  }

  /** Refuses a caller that is no user at all. */
  public Error refuseAnonymous(Caller caller) {
    return caller instanceof Caller.Known ? null : unidentified(caller);
  }

  private static Error unidentified(Caller caller) {
    if (caller instanceof Caller.BadToken) {
      return Error.newBuilder().setCode(Error.Code.INVALID_TOKEN).setMessage("invalid or expired token: authenticate"
          + " again on this node (a token is good on the node that issued it only)").build();
    }
    if (caller instanceof Caller.Anonymous) {
      return Error.newBuilder().setCode(Error.Code.UNAUTHENTICATED)
          .setMessage("call needs a user: present a client certificate or a token from Authenticate").build();
    }
    return null; // unrestricted
  }

  private static String roles(Caller.Known known) {
    return " (roles: " + (known.grants().roleNames().isEmpty() ? "none" : String.join(", ",
        known.grants().roleNames())) + ")";
  }

  private static Error denied(String message) {
    return Error.newBuilder().setCode(Error.Code.PERMISSION_DENIED).setMessage(message).build();
  }
}
