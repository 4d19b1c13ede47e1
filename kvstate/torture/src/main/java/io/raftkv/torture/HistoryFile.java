package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * Writes and reads a {@link History} as text, one event a line, in the order of the events.
 *
 * <pre>
 * raftkv-history 1
 * i OP_ID PROCESS TIME_NANOS KEY COMMAND      an invocation
 * c OP_ID TIME_NANOS OUTCOME                  a completion
 *
 * KEY, VALUE:  b:BASE64 (standard alphabet; "b:" alone is the empty byte string)
 * EXPECTED, NEW: VALUE, or "absent" (for NEW: delete the key)
 * COMMAND:  put VALUE | get | delete | cas EXPECTED NEW | cas-version VERSION NEW
 * OUTCOME:  written | read VALUE | read absent | matched | unmatched | fail REASON | unknown REASON
 * </pre>
 *
 * A REASON is the rest of the line, with backslash, newline and carriage return escaped as {@code \\},
 * {@code \n} and {@code \r}. Blank lines and lines starting with {@code #} are ignored.
 */
public final class HistoryFile {
  static final String HEADER = "raftkv-history 1";
  private static final String BYTES_PREFIX = "b:";
  private static final String ABSENT = "absent";

  private HistoryFile() {}

  public static void write(History history, Path file) throws IOException {
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      write(history, out);
    }
  }

  public static void write(History history, Writer out) throws IOException {
    out.write(HEADER);
    out.write('\n');
    for (HistoryEvent event : history.events()) {
      out.write(line(event));
      out.write('\n');
    }
    out.flush();
  }

  public static History read(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in);
    }
  }

  /**
   * Reads a history.
   *
   * @throws IOException if the text is not a history; the message names the line and what is wrong
   */
  public static History read(Reader reader) throws IOException {
    BufferedReader in = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
    String first = in.readLine();
    if (!HEADER.equals(first)) {
      throw new IOException("not a history: the first line is '" + first + "', expected '" + HEADER + "'");
    }
    History history = new History();
    int number = 1;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      number++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      try {
        history.append(event(line));
      } catch (RuntimeException e) {
        throw new IOException("history line " + number + " ('" + line + "'): " + e.getMessage(), e);
      }
    }
    return history;
  }

  static String line(HistoryEvent event) {
    if (event instanceof HistoryEvent.Invocation invocation) {
      return "i " + invocation.opId() + " " + invocation.process() + " " + invocation.timeNanos() + " "
          + bytes(invocation.key()) + " " + command(invocation.command());
    }
    HistoryEvent.Completion completion = (HistoryEvent.Completion) event;
    return "c " + completion.opId() + " " + completion.timeNanos() + " " + outcome(completion.outcome());
  }

  private static String command(Command command) {
    if (command instanceof Command.Put put) {
      return "put " + bytes(put.value());
    }
    if (command instanceof Command.Get) {
      return "get";
    }
    if (command instanceof Command.Delete) {
      return "delete";
    }
    if (command instanceof Command.CompareAndSet cas) {
      return "cas " + optional(cas.expected()) + " " + optional(cas.newValue());
    }
    Command.CompareVersionAndSet cas = (Command.CompareVersionAndSet) command;
    return "cas-version " + cas.expectedVersion() + " " + optional(cas.newValue());
  }

  private static String outcome(Outcome outcome) {
    if (outcome instanceof Outcome.Written) {
      return "written";
    }
    if (outcome instanceof Outcome.Read read) {
      return "read " + optional(read.value());
    }
    if (outcome instanceof Outcome.Compared compared) {
      return compared.matched() ? "matched" : "unmatched";
    }
    if (outcome instanceof Outcome.Failed failed) {
      return "fail " + escape(failed.reason());
    }
    return "unknown " + escape(((Outcome.Unknown) outcome).reason());
  }

  private static HistoryEvent event(String line) {
    Tokens tokens = new Tokens(line);
    String type = tokens.next("event type");
    if (type.equals("i")) {
      long opId = tokens.nextLong("operation id");
      int process = Math.toIntExact(tokens.nextLong("process"));
      long time = tokens.nextLong("time");
      ByteString key = parseBytes(tokens.next("key"));
      Command command = parseCommand(tokens);
      tokens.requireEnd();
      return new HistoryEvent.Invocation(opId, process, time, key, command);
    }
    if (type.equals("c")) {
      long opId = tokens.nextLong("operation id");
      long time = tokens.nextLong("time");
      return new HistoryEvent.Completion(opId, time, parseOutcome(tokens));
    }
    throw new IllegalArgumentException("unknown event type '" + type + "' (expected i or c)");
  }

  private static Command parseCommand(Tokens tokens) {
    String name = tokens.next("command");
    switch (name) {
      case "put":
        return Command.put(parseBytes(tokens.next("value")));
      case "get":
        return Command.get();
      case "delete":
        return Command.delete();
      case "cas":
        return Command.compareAndSet(parseOptional(tokens.next("expected value")),
            parseOptional(tokens.next("new value")));
      case "cas-version":
        return Command.compareVersionAndSet(tokens.nextLong("expected version"),
            parseOptional(tokens.next("new value")));
      default:
        throw new IllegalArgumentException(
            "unknown command '" + name + "' (expected put, get, delete, cas or cas-version)");
    }
  }

  private static Outcome parseOutcome(Tokens tokens) {
    String name = tokens.next("outcome");
    Outcome outcome;
    switch (name) {
      case "written":
        outcome = Outcome.written();
        break;
      case "read":
        outcome = Outcome.read(parseOptional(tokens.next("read value")));
        break;
      case "matched":
        outcome = Outcome.compared(true);
        break;
      case "unmatched":
        outcome = Outcome.compared(false);
        break;
      case "fail":
        return Outcome.failed(unescape(tokens.rest()));
      case "unknown":
        return Outcome.unknown(unescape(tokens.rest()));
      default:
        throw new IllegalArgumentException("unknown outcome '" + name
            + "' (expected written, read, matched, unmatched, fail or unknown)");
    }
    tokens.requireEnd();
    return outcome;
  }

  private static String bytes(ByteString bytes) {
    return BYTES_PREFIX + Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  private static String optional(Optional<ByteString> value) {
    return value.map(HistoryFile::bytes).orElse(ABSENT);
  }

  private static ByteString parseBytes(String token) {
    if (!token.startsWith(BYTES_PREFIX)) {
      throw new IllegalArgumentException("bytes '" + token + "' do not start with " + BYTES_PREFIX);
    }
    try {
      return ByteString.copyFrom(Base64.getDecoder().decode(token.substring(BYTES_PREFIX.length())));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bytes '" + token + "' are not base64: " + e.getMessage(), e);
    }
  }

  private static Optional<ByteString> parseOptional(String token) {
    return token.equals(ABSENT) ? Optional.empty() : Optional.of(parseBytes(token));
  }

  static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  static String unescape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (i + 1 == text.length()) {
        throw new IllegalArgumentException("a reason ends with a lone backslash");
      }
      char escaped = text.charAt(++i);
      switch (escaped) {
        case '\\' -> out.append('\\');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        default -> throw new IllegalArgumentException("unknown escape '\\" + escaped + "' in a reason");
      }
    }
    return out.toString();
  }

  /** The space-separated fields of one line, consumed left to right. */
  private static final class Tokens {
    private final String line;
    private int position;

    Tokens(String line) {
      this.line = line;
    }

    String next(String what) {
      if (position >= line.length()) {
        throw new IllegalArgumentException("the line ends before the " + what);
      }
      int end = line.indexOf(' ', position);
      if (end < 0) {
        end = line.length();
      }
      String token = line.substring(position, end);
      position = end + 1;
      return token;
    }

    long nextLong(String what) {
      String token = next(what);
      try {
        return Long.parseLong(token);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the " + what + " '" + token + "' is not a whole number", e);
      }
    }

    String rest() {
      String rest = position >= line.length() ? "" : line.substring(position);
      position = line.length();
      return rest;
    }

    void requireEnd() {
      if (position < line.length()) {
        throw new IllegalArgumentException("unexpected text at the end: '" + line.substring(position) + "'");
      }
    }
  }
}
