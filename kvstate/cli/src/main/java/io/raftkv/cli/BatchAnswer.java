package io.raftkv.cli;

import java.util.StringJoiner;

/**
 * One batch line's answer, as a single line: the command's output lines joined by tabs (a scan's entries),
 * keys and values quoted where needed; or, if the command failed, "ERR " and why, control characters
 * escaped. Not thread-safe; one per command line.
 */
final class BatchAnswer implements AnswerSink {
  private final StringJoiner lines = new StringJoiner("\t");
  private String problem;

  @Override
  public String data(String text) {
    return BatchWords.quoteIfNeeded(text);
  }

  @Override
  public void line(String line) {
    lines.add(line);
  }

  @Override
  public void problem(String message) {
    problem = message;
  }

  /** The answer line, without a line break. */
  String text() {
    return problem == null ? lines.toString() : failure(problem);
  }

  /** An error line saying {@code message}, kept on one line. */
  static String failure(String message) {
    StringBuilder out = new StringBuilder(BatchCommand.ERROR_MARK);
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      if (Character.isISOControl(c)) {
        String quoted = BatchWords.quote(String.valueOf(c));
        out.append(quoted, 1, quoted.length() - 1);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
