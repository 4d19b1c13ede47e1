package io.raftkv.cli;

import io.raftkv.client.RaftKvClient;

/** A client command that one-shot and batch mode both run: checked first, then answered through a client. */
interface ClientCommand {
  /** Refuses bad arguments with an IllegalArgumentException, before any client is made. */
  default void check() {}

  /** Does the command through {@code client}, writes its answer to {@code sink}, returns its exit code. */
  int answer(RaftKvClient client, AnswerSink sink);

  /** Runs {@code command} once with a client of its own, as `raftkv COMMAND` does. */
  static int once(ClientCommand command, ClientOptions options) {
    command.check();
    try (RaftKvClient c = options.connect()) {
      return command.answer(c, AnswerSink.STANDARD);
    }
  }
}
