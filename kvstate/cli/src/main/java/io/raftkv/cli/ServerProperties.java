package io.raftkv.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A server properties file (--config), read line by line rather than with java.util.Properties, which
 * silently lets a repeated key win and cannot say on which line a bad value is.
 */
final class ServerProperties {
  /** Largest file read; a node's settings take a few hundred bytes. */
  static final long MAX_BYTES = 1 << 20;

  /** One key's value and the line it came from. */
  record Setting(String value, int line) {}

  private final Path file;
  private final Map<String, Setting> settings;

  private ServerProperties(Path file, Map<String, Setting> settings) {
    this.file = file;
    this.settings = settings;
  }

  /** No file: every value comes from flags or defaults. */
  static ServerProperties none() {
    return new ServerProperties(null, Map.of());
  }

  /**
   * Reads {@code file}: {@code key=value} (or {@code key: value}) lines, blank lines, and comments
   * starting with # or !.
   *
   * @throws IllegalArgumentException naming the file, the line and the problem: unreadable, a line that
   *     is not key=value, a key not in {@code known}, a key given twice, an empty value
   */
  static ServerProperties read(Path file, Set<String> known) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException("--config " + file + ": file not found or not readable");
    }
    List<String> lines;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalArgumentException("--config " + file + " is " + Files.size(file) + " bytes; a properties"
            + " file is at most " + MAX_BYTES + " bytes");
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("--config " + file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new IllegalArgumentException("--config " + file + ": cannot read it: " + e.getMessage());
    }
    Map<String, Setting> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      int lineNo = i + 1;
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
        continue;
      }
      String where = "--config " + file + " line " + lineNo;
      if (line.endsWith("\\")) {
        throw new IllegalArgumentException(where + ": continued lines (ending in \\) are not supported;"
            + " write the value on one line");
      }
      int eq = line.indexOf('=');
      int colon = line.indexOf(':');
      int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
      if (sep <= 0) {
        throw new IllegalArgumentException(where + ": '" + line + "' is not key=value");
      }
      String key = line.substring(0, sep).strip();
      String value = line.substring(sep + 1).strip();
      if (!known.contains(key)) {
        throw new IllegalArgumentException(where + ": unknown property '" + key + "'; known: "
            + String.join(", ", known));
      }
      Setting before = out.get(key);
      if (before != null) {
        throw new IllegalArgumentException("--config " + file + ": '" + key + "' is given twice, on line "
            + before.line() + " and line " + lineNo + "; keep one");
      }
      if (value.isEmpty()) {
        throw new IllegalArgumentException(where + ": '" + key + "' has an empty value; give one or"
            + " leave the key out");
      }
      out.put(key, new Setting(value, lineNo));
    }
    return new ServerProperties(file, Collections.unmodifiableMap(out));
  }

  /** The value of {@code key}, or null when the file does not set it (or there is no file). */
  String get(String key) {
    Setting s = settings.get(key);
    return s == null ? null : s.value();
  }

  /** How an error names where {@code key}'s value came from: the file and line. */
  String origin(String key) {
    Setting s = settings.get(key);
    return s == null ? "--" + key : "'" + key + "' (--config " + file + " line " + s.line() + ")";
  }
}
