package io.raftkv.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The word syntax of a batch line, both ways: a line splits into words at spaces and tabs; a word may be
 * quoted, 'single' (taken as it is) or "double" (where \" \\ \n \r \t \\uXXXX are escapes), so keys and values
 * may hold spaces; and a key or value in an answer line is written quoted whenever it could be misread.
 */
final class BatchWords {
  private BatchWords() {}

  /** The words of one line, or why it cannot be split. */
  sealed interface Split permits Words, Malformed {}

  /** The line's words, in order (none for a blank line). */
  record Words(List<String> words) implements Split {
    Words {
      words = List.copyOf(words);
    }
  }

  /** The line cannot be split: an unclosed quote or an unknown escape, named in {@code reason}. */
  record Malformed(String reason) implements Split {}

  /** Splits {@code line} into words. */
  static Split split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        i++;
      } else if (c == '\'') {
        int close = line.indexOf('\'', i + 1);
        if (close < 0) {
          return new Malformed("the ' at column " + (i + 1) + " is not closed");
        }
        word.append(line, i + 1, close);
        inWord = true;
        i = close + 1;
      } else if (c == '"') {
        int end = doubleQuoted(line, i, word);
        if (end < 0) {
          return new Malformed(end == -1 ? "the \" at column " + (i + 1) + " is not closed"
              : "unknown escape at column " + (-end - 1) + ": inside \"...\" only \\\" \\\\ \\n \\r \\t \\uXXXX are escapes");
        }
        inWord = true;
        i = end;
      } else {
        word.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return new Words(words);
  }

  /**
   * Appends the double-quoted word opening at {@code open} to {@code word}; returns the index after its
   * closing quote, -1 if it is not closed, or -(column + 1) of a bad escape.
   */
  private static int doubleQuoted(String line, int open, StringBuilder word) {
    int i = open + 1;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\') {
        if (i + 1 >= line.length()) {
          return -1;
        }
        char next = line.charAt(i + 1);
        if (next == 'u') {
          int code = hex4(line, i + 2);
          if (code < 0) {
            return -(i + 1) - 1;
          }
          word.append((char) code);
          i += 6;
          continue;
        }
        char escaped = switch (next) {
          case '"' -> '"';
          case '\\' -> '\\';
          case 'n' -> '\n';
          case 'r' -> '\r';
          case 't' -> '\t';
          default -> 0;
        };
        if (escaped == 0) {
          return -(i + 1) - 1;
        }
        word.append(escaped);
        i += 2;
      } else {
        word.append(c);
        i++;
      }
    }
    return -1;
  }

  /** The four hex digits at {@code from} as a number, or -1 if there are not four. */
  private static int hex4(String line, int from) {
    if (from + 4 > line.length()) {
      return -1;
    }
    int code = 0;
    for (int i = from; i < from + 4; i++) {
      int digit = Character.digit(line.charAt(i), 16);
      if (digit < 0) {
        return -1;
      }
      code = code * 16 + digit;
    }
    return code;
  }

  /**
   * {@code text} as it appears in an answer line: as it is if it is plain, else double-quoted with escapes.
   * Plain is non-empty, free of control characters (so tabs can separate fields and every answer stays on
   * one line), and starting neither with a double quote nor with "ERR " (the error lines' mark).
   */
  static String quoteIfNeeded(String text) {
    boolean plain = !text.isEmpty() && !text.startsWith("\"") && !text.startsWith(BatchCommand.ERROR_MARK)
        && text.chars().noneMatch(Character::isISOControl);
    return plain ? text : quote(text);
  }

  /** {@code text} double-quoted: \" \\ \n \r \t escaped, other control characters as \\u escapes. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
