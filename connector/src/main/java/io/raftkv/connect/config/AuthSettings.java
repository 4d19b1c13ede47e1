package io.raftkv.connect.config;

import io.raftkv.client.RaftKvClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * One connector config's {@code raftkv.auth.*} values: the password user the client calls as, or which option is
 * wrong. An empty user or password counts as not set. The password stays a {@link Password}, so that neither
 * {@link #toString()} nor any message of this type can show it.
 */
public record AuthSettings(Optional<String> user, Optional<Password> password) {
  /** Longest user name, in characters (as the cluster allows). */
  static final int MAX_USER_CHARS = 64;
  /** Longest password, in bytes of UTF-8 (as the cluster allows). */
  static final int MAX_PASSWORD_BYTES = 1024;

  /** No password user: the client calls as its certificate's user, or as nobody. */
  public static final AuthSettings NONE = new AuthSettings(Optional.empty(), Optional.empty());

  /** The settings of a parsed config. */
  public static AuthSettings of(AbstractConfig config) {
    return read(config.values()::get);
  }

  /** The settings from option values by name ({@code null} for an option not set). */
  static AuthSettings read(Function<String, Object> value) {
    Object user = value.apply(RaftKvAuthConfig.USER);
    Object password = value.apply(RaftKvAuthConfig.PASSWORD);
    String passwordText = password instanceof Password p ? p.value() : password == null ? null : password.toString();
    return new AuthSettings(user == null || user.toString().isEmpty() ? Optional.empty()
        : Optional.of(user.toString()), passwordText == null || passwordText.isEmpty() ? Optional.empty()
        : Optional.of(new Password(passwordText)));
  }

  /** Whether a password user is set. */
  public boolean passwordUser() {
    return user.isPresent() && password.isPresent();
  }

  /** What keeps these settings from making a client: one option without the other, or a value out of bounds. */
  public List<OptionProblem> problems() {
    List<OptionProblem> out = new ArrayList<>();
    if (user.isPresent() && password.isEmpty()) {
      out.add(new OptionProblem(RaftKvAuthConfig.PASSWORD, RaftKvAuthConfig.USER + " is set ('" + printable(user.get())
          + "') but " + RaftKvAuthConfig.PASSWORD + " is not: a password user needs its password"));
    }
    if (password.isPresent() && user.isEmpty()) {
      out.add(new OptionProblem(RaftKvAuthConfig.USER, RaftKvAuthConfig.PASSWORD + " is set but " + RaftKvAuthConfig.USER
          + " is not: set the user the password belongs to, or remove the password to call as the client "
          + "certificate's user"));
    }
    user.filter(u -> u.length() > MAX_USER_CHARS || u.chars().anyMatch(Character::isISOControl))
        .ifPresent(u -> out.add(new OptionProblem(RaftKvAuthConfig.USER, RaftKvAuthConfig.USER + "='" + printable(u)
            + "' (" + u.length() + " characters" + (u.chars().anyMatch(Character::isISOControl)
            ? ", control characters shown as '?'" : "") + "): a user name is 1 to " + MAX_USER_CHARS
            + " characters without control characters")));
    password.map(p -> p.value().getBytes(StandardCharsets.UTF_8).length).filter(n -> n > MAX_PASSWORD_BYTES)
        .ifPresent(n -> out.add(new OptionProblem(RaftKvAuthConfig.PASSWORD, RaftKvAuthConfig.PASSWORD + " is " + n
            + " bytes (UTF-8): a password is 1 to " + MAX_PASSWORD_BYTES + " bytes")));
    return out;
  }

  /**
   * Makes {@code builder} call as the password user, if one is set.
   *
   * @throws ConfigException naming the option of the first of {@link #problems()}
   */
  public RaftKvClient.Builder applyTo(RaftKvClient.Builder builder) {
    requireValid();
    if (passwordUser()) {
      char[] chars = password.get().value().toCharArray();
      try {
        builder.credentials(user.get(), chars);
      } finally {
        java.util.Arrays.fill(chars, '\0');
      }
    }
    return builder;
  }

  /**
   * Returns if these settings can make a client.
   *
   * @throws ConfigException naming the option of the first of {@link #problems()}
   */
  public void requireValid() {
    List<OptionProblem> problems = problems();
    if (!problems.isEmpty()) {
      throw new ConfigException(problems.get(0).option() + ": " + problems.get(0).message());
    }
  }

  /** The user name with control characters as '?', fit for a message. */
  static String printable(String user) {
    StringBuilder out = new StringBuilder(user.length());
    user.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return out.toString();
  }

  @Override
  public String toString() {
    return "AuthSettings[user=" + user.map(AuthSettings::printable).orElse("(none)") + ", password="
        + (password.isPresent() ? "[hidden]" : "(none)") + "]";
  }
}
