package io.raftkv.cli;

/**
 * Where a client command's answer goes: a one-shot command prints it as lines on stdout and stderr, batch
 * mode folds it into one line per command.
 */
interface AnswerSink {
  /** How a key or value given by a user appears in this sink's output. */
  String data(String text);

  /** One line of the command's output. */
  void line(String line);

  /** Why the command did not do what was asked (its exit code says how it failed). */
  void problem(String message);

  /** A one-shot command's sink: data as it is, lines to stdout, problems to stderr. */
  AnswerSink STANDARD = new AnswerSink() {
    @Override
    public String data(String text) {
      return text;
    }

    @Override
    public void line(String line) {
      System.out.println(line);
    }

    @Override
    public void problem(String message) {
      System.err.println(message);
    }
  };
}
