package io.raftkv.server.auth;

import com.google.protobuf.ByteString;
import io.raftkv.api.Permission;
import io.raftkv.server.statemachine.pb.StoredRole;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The keys a set of roles lets a user read and write, as key ranges sorted by start: answers whether
 * they cover one key or a whole range (a scan's, a watch's), however the roles' permissions split it.
 * Immutable.
 */
public final class KeyGrants {
  private static final Comparator<ByteString> BYTES = ByteString.unsignedLexicographicalComparator();

  /** A range [start, end); an empty end: no upper bound. */
  private record Span(ByteString start, ByteString end) {}

  private final boolean admin;
  private final List<String> roleNames;
  private final List<Span> readable;
  private final List<Span> writable;

  private KeyGrants(boolean admin, List<String> roleNames, List<Span> readable, List<Span> writable) {
    this.admin = admin;
    this.roleNames = roleNames;
    this.readable = readable;
    this.writable = writable;
  }

  /** What {@code roles} grant together. */
  static KeyGrants of(List<StoredRole> roles) {
    List<Span> readable = new ArrayList<>();
    List<Span> writable = new ArrayList<>();
    List<String> names = new ArrayList<>();
    boolean admin = false;
    for (StoredRole role : roles) {
      names.add(role.getName());
      admin |= AuthView.ADMIN.equals(role.getName());
      for (Permission p : role.getPermissionsList()) {
        Span span = spanOf(p);
        readable.add(span); // read-write includes read
        if (p.getAccess() == Permission.Access.READWRITE) {
          writable.add(span);
        }
      }
    }
    readable.sort(Comparator.comparing(Span::start, BYTES));
    writable.sort(Comparator.comparing(Span::start, BYTES));
    return new KeyGrants(admin, List.copyOf(names), List.copyOf(readable), List.copyOf(writable));
  }

  /** The range a permission covers. */
  static KeyGrants.Span spanOf(Permission p) {
    return p.getKeysCase() == Permission.KeysCase.RANGE ? new Span(p.getRange().getStart(), p.getRange().getEnd())
        : new Span(p.getPrefix(), prefixEnd(p.getPrefix()));
  }

  /** Whether the roles include admin (which holds every permission, keys or not). */
  public boolean admin() {
    return admin;
  }

  /** The roles' names, for messages. */
  public List<String> roleNames() {
    return roleNames;
  }

  /** Whether the user may read ({@code write} false) or write {@code key}. */
  public boolean allowsKey(ByteString key, boolean write) {
    return covers(write ? writable : readable, key, key.concat(ByteString.copyFrom(new byte[] {0})));
  }

  /** Whether the user may read every key in [start, end) (an empty end: no upper bound). */
  public boolean allowsReadRange(ByteString start, ByteString end) {
    return covers(readable, start, end);
  }

  /** The first key after every key with {@code prefix}; empty when there is none (empty or all 0xFF). */
  public static ByteString prefixEnd(ByteString prefix) {
    byte[] bytes = prefix.toByteArray();
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] != (byte) 0xFF) {
        bytes[i]++;
        return ByteString.copyFrom(bytes, 0, i + 1);
      }
    }
    return ByteString.EMPTY;
  }

  /** Whether the sorted spans together cover [start, end): a sweep that moves start past each span it lies in. */
  private static boolean covers(List<Span> spans, ByteString start, ByteString end) {
    ByteString reached = start;
    int i = 0;
    while (true) {
      ByteString furthest = null;
      boolean unbounded = false;
      while (i < spans.size() && BYTES.compare(spans.get(i).start(), reached) <= 0) {
        Span s = spans.get(i++);
        if (s.end().isEmpty()) {
          unbounded = true;
        } else if (BYTES.compare(s.end(), reached) > 0 && (furthest == null || BYTES.compare(s.end(), furthest) > 0)) {
          furthest = s.end();
        }
      }
      if (unbounded) {
        return true;
      }
      if (furthest == null) {
        return false;
      }
      reached = furthest;
      if (!end.isEmpty() && BYTES.compare(reached, end) >= 0) {
        return true;
      }
    }
  }
}
