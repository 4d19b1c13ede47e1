package io.raftkv.cli;

import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** raftkv batch: client commands read from stdin, one answer line each, through one client. */
@Command(name = "batch", mixinStandardHelpOptions = true,
    description = {"Run client commands read from standard input, one per line, through one connection;"
        + " print one answer line per command, in order.",
        "A line is a command as on the command line without 'raftkv': get, put, delete, scan or cas with"
            + " their arguments and options (not --endpoints or --timeout: give those to batch). Words are"
            + " split at spaces; quote a key or value with spaces as 'text' or \"text\" (in \"...\":"
            + " \\\" \\\\ \\n \\r \\t \\uXXXX). Blank lines and lines starting with # get no answer.",
        "Answers: what the one-shot command prints; a scan's entries on one line, separated by tabs; a key"
            + " or value that is empty, holds a control character or starts with \" or 'ERR ' is written"
            + " double-quoted. A command that fails answers 'ERR ' and why, and the batch goes on; a line"
            + " longer than 4 MiB characters is refused.",
        "Exit code: the highest of the commands' exit codes (0 if all succeeded)."})
final class BatchCommand implements Callable<Integer> {
  /** How an answer line that reports a failure starts. */
  static final String ERROR_MARK = "ERR ";
  /** Longest line read: a 1 MiB value with every character escaped still fits. */
  static final int MAX_LINE_CHARS = 4 << 20;

  /** The commands a line may name. */
  private static final Map<String, Supplier<ClientCommand>> COMMANDS = Map.of("get", GetCommand::new,
      "put", PutCommand::new, "delete", DeleteCommand::new, "scan", ScanCommand::new, "cas", CasCommand::new);

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() throws IOException {
    try (RaftKvClient c = client.connect()) {
      PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
      int code = run(c, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), out,
          MAX_LINE_CHARS);
      out.flush();
      return code;
    }
  }

  /**
   * Answers each line of {@code in} through {@code client} on {@code out} (flushed after each answer, so a
   * script can wait for it); returns the highest exit code of the lines.
   */
  static int run(RaftKvClient client, Reader in, Writer out, int maxLineChars) throws IOException {
    BoundedLines lines = new BoundedLines(in, maxLineChars);
    // One parser per command word, reused line after line: building one costs far more than a parse, and
    // picocli puts every option back to its initial value before each parse.
    Map<String, CommandLine> parsers = new HashMap<>();
    int worst = ExitCodes.OK;
    long number = 0;
    for (BoundedLines.Line line = lines.next(); line != null; line = lines.next()) {
      number++;
      LineOutcome outcome = line instanceof BoundedLines.TooLong tooLong
          ? usage(number, "it is " + tooLong.length() + " characters long; at most " + maxLineChars + " are allowed")
          : answer(client, parsers, number, ((BoundedLines.Text) line).text());
      if (outcome != null) {
        out.write(outcome.line());
        out.write('\n');
        out.flush();
        worst = Math.max(worst, outcome.exitCode());
      }
    }
    return worst;
  }

  /** A line's answer and exit code. */
  private record LineOutcome(String line, int exitCode) {}

  /** The answer to line {@code number}, or null for a blank or comment line. */
  private static LineOutcome answer(RaftKvClient client, Map<String, CommandLine> parsers, long number,
      String text) {
    if (text.isBlank() || text.stripLeading().startsWith("#")) {
      return null;
    }
    BatchWords.Split split = BatchWords.split(text);
    if (split instanceof BatchWords.Malformed malformed) {
      return usage(number, malformed.reason());
    }
    List<String> words = ((BatchWords.Words) split).words();
    Supplier<ClientCommand> make = COMMANDS.get(words.get(0));
    if (make == null) {
      return usage(number, "unknown command '" + words.get(0) + "': batch runs get, put, delete, scan and cas");
    }
    CommandLine parser = parsers.computeIfAbsent(words.get(0), word -> new CommandLine(make.get()));
    ClientCommand command = parser.getCommand();
    CommandLine.ParseResult parsed;
    try {
      parsed = parser.parseArgs(words.subList(1, words.size()).toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      return usage(number, words.get(0) + ": " + e.getMessage());
    }
    if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
      return usage(number, "--help and --version print the one-shot commands' help: run 'raftkv "
          + words.get(0) + " --help'");
    }
    if (parsed.hasMatchedOption("--endpoints") || parsed.hasMatchedOption("--timeout")) {
      return usage(number, "--endpoints and --timeout are given once, to 'raftkv batch', not on a line");
    }
    BatchAnswer answer = new BatchAnswer();
    try {
      command.check();
      int code = command.answer(client, answer);
      return new LineOutcome(answer.text(), code);
    } catch (IllegalArgumentException e) {
      return usage(number, words.get(0) + ": " + e.getMessage());
    } catch (RaftKvException e) {
      return new LineOutcome(BatchAnswer.failure(e.code() + ": " + e.getMessage()), RaftKvCli.exitCodeOf(e));
    }
  }

  private static LineOutcome usage(long number, String why) {
    return new LineOutcome(BatchAnswer.failure("line " + number + ": " + why), ExitCodes.USAGE);
  }
}
