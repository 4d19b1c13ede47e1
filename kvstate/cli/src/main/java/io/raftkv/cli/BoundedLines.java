package io.raftkv.cli;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines from a stream, holding at most a bound of characters of one line: a longer line is skipped
 * to its end and reported with its length, so hostile input cannot exhaust memory. Not thread-safe.
 */
final class BoundedLines {
  /** One line read, or one too long to hold. */
  sealed interface Line permits Text, TooLong {}

  /** A line's text, without its line break (\n, or \r\n). */
  record Text(String text) implements Line {}

  /** A line of {@code length} characters, over the bound; its text was skipped. */
  record TooLong(long length) implements Line {}

  private final Reader in;
  private final int maxChars;
  private final StringBuilder line = new StringBuilder();

  BoundedLines(Reader in, int maxChars) {
    if (maxChars < 1) {
      throw new IllegalArgumentException("line bound is " + maxChars + ": it must be at least 1");
    }
    this.in = in;
    this.maxChars = maxChars;
  }

  /** The next line, or null at the end of the stream (a last line without a line break counts). */
  Line next() throws IOException {
    line.setLength(0);
    long length = 0;
    int c = in.read();
    if (c < 0) {
      return null;
    }
    while (c >= 0 && c != '\n') {
      if (length < maxChars) {
        line.append((char) c);
      }
      length++;
      c = in.read();
    }
    if (length > 0 && length <= maxChars && line.charAt(line.length() - 1) == '\r') {
      line.setLength(line.length() - 1);
      length--;
    }
    return length > maxChars ? new TooLong(length) : new Text(line.toString());
  }
}
