package io.raftkv.cli;

import java.io.Console;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where a command gets a password: a file (its flag), else an environment variable, else a prompt on the
 * terminal without echo (twice for a new password). Bad input is refused naming the flag or variable;
 * the password itself is never shown.
 */
final class PasswordSource {
  /** Longest password, in UTF-8 bytes (the server's bound). */
  static final int MAX_PASSWORD_BYTES = 1024;

  private final String fileFlag;
  private final String environmentName;

  /**
   * @param fileFlag the flag naming the file (e.g. --password-file), for messages
   * @param environmentName the variable read when no file is given (e.g. RAFTKV_PASSWORD)
   */
  PasswordSource(String fileFlag, String environmentName) {
    this.fileFlag = fileFlag;
    this.environmentName = environmentName;
  }

  /** The password: from {@code file} if given, else from {@code environmentValue}, else asked for. */
  char[] read(String file, String environmentValue, String prompt, boolean confirm) {
    if (file != null) {
      return fromFile(Path.of(file));
    }
    if (environmentValue != null) {
      return checked("$" + environmentName, environmentValue.toCharArray());
    }
    return ask(System.console(), prompt, confirm);
  }

  /** The file's content less one trailing line break. */
  char[] fromFile(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_PASSWORD_BYTES + 2) {
        throw new IllegalArgumentException(fileFlag + " " + file + " holds " + Files.size(file) + " bytes: a password"
            + " is 1 to " + MAX_PASSWORD_BYTES + " bytes (one trailing line break is dropped)");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(fileFlag + " " + file + " cannot be read: " + e.getMessage(), e);
    }
    int end = bytes.length;
    if (end > 0 && bytes[end - 1] == '\n') {
      end--;
      if (end > 0 && bytes[end - 1] == '\r') {
        end--;
      }
    }
    char[] chars;
    try {
      CharBuffer decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end));
      chars = new char[decoded.remaining()];
      decoded.get(chars);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(fileFlag + " " + file + " is not UTF-8 text", e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
    return checked(fileFlag + " " + file, chars);
  }

  private char[] ask(Console console, String prompt, boolean confirm) {
    if (console == null) {
      throw new IllegalArgumentException("no password given and no terminal to ask on: give " + fileFlag
          + " FILE or set $" + environmentName);
    }
    char[] first = console.readPassword("%s: ", prompt);
    if (first == null) {
      throw new IllegalArgumentException("no password read (end of input)");
    }
    if (confirm) {
      char[] again = console.readPassword("%s (again): ", prompt);
      boolean same = again != null && Arrays.equals(first, again);
      if (again != null) {
        Arrays.fill(again, '\0');
      }
      if (!same) {
        Arrays.fill(first, '\0');
        throw new IllegalArgumentException("the two passwords typed differ");
      }
    }
    return checked("the password typed", first);
  }

  private static char[] checked(String source, char[] password) {
    int bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password)).remaining();
    if (bytes < 1 || bytes > MAX_PASSWORD_BYTES) {
      throw new IllegalArgumentException(source + ": a password is 1 to " + MAX_PASSWORD_BYTES + " bytes (UTF-8);"
          + " this one is " + bytes);
    }
    return password;
  }
}
