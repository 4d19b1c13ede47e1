package io.raftkv.server.auth;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyRange;
import io.raftkv.api.Permission;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The bounds on users, roles and permissions, checked where a request arrives and again at apply, so a
 * hostile or corrupt command is refused the same way on every replica. Each check returns why a value is
 * refused (naming it and what is allowed), or null.
 *
 * @param maxKeyBytes longest key a permission may name (the store's key limit)
 */
public record AuthLimits(int maxKeyBytes) {
  public static final int MAX_NAME_CHARS = 64;
  public static final int MAX_PASSWORD_BYTES = 1024;
  public static final int MAX_USERS = 1_000;
  public static final int MAX_ROLES = 1_000;
  public static final int MAX_PERMISSIONS_PER_ROLE = 100;
  public static final int MAX_ROLES_PER_USER = 100;

  public AuthLimits {
    if (maxKeyBytes < 1) {
      throw new IllegalArgumentException("max key bytes " + maxKeyBytes + " must be positive");
    }
  }

  /** Why {@code name} cannot name a {@code what} ("user", "role"), or null. */
  public static String nameProblem(String what, String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_CHARS) {
      return what + " name '" + Printable.text(name) + "' is " + name.length() + " characters; a " + what
          + " name is 1 to " + MAX_NAME_CHARS + " characters";
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      return what + " name '" + Printable.text(name) + "' holds a control character; none are allowed";
    }
    return null;
  }

  /** Why {@code password} cannot be a password, or null; the message never holds the password. */
  public static String passwordProblem(ByteString password) {
    if (password.isEmpty() || password.size() > MAX_PASSWORD_BYTES) {
      return "a password is 1 to " + MAX_PASSWORD_BYTES + " bytes; this one is " + password.size();
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(password.toByteArray()));
    } catch (CharacterCodingException e) {
      return "a password must be UTF-8 text";
    }
    return null;
  }

  /** Why {@code permission} is not one a role may hold, or null. */
  public String permissionProblem(Permission permission) {
    if (permission.getAccess() == Permission.Access.UNRECOGNIZED) {
      return "permission access is not READ (0) or READWRITE (1)";
    }
    return switch (permission.getKeysCase()) {
      case PREFIX -> boundProblem("prefix", permission.getPrefix());
      case RANGE -> rangeProblem(permission.getRange());
      case KEYS_NOT_SET -> "a permission needs a prefix or a key range";
    };
  }

  private String rangeProblem(KeyRange range) {
    String problem = boundProblem("range start", range.getStart());
    if (problem == null) {
      problem = boundProblem("range end", range.getEnd());
    }
    if (problem == null && !range.getEnd().isEmpty()
        && ByteString.unsignedLexicographicalComparator().compare(range.getStart(), range.getEnd()) >= 0) {
      problem = "permission range ['" + Printable.key(range.getStart()) + "', '" + Printable.key(range.getEnd())
          + "') is empty: its start must come before its end (an empty end: no upper bound)";
    }
    return problem;
  }

  private String boundProblem(String field, ByteString bound) {
    return bound.size() > maxKeyBytes ? "permission " + field + " is " + bound.size() + " bytes; keys are at most "
        + maxKeyBytes + " bytes" : null;
  }
}
