package io.raftkv.server.auth;

/** Who a call runs as, as {@link AccessControl} resolved it. */
public sealed interface Caller {
  /** Authentication is off: every caller may do everything. */
  record Unrestricted() implements Caller {}

  /** A user, by certificate or token, with the keys its roles grant now. */
  record Known(String name, KeyGrants grants) implements Caller {}

  /** No certificate and no token. */
  record Anonymous() implements Caller {}

  /** A token this node does not hold (never issued here, expired, or its user changed since). */
  record BadToken() implements Caller {}
}
