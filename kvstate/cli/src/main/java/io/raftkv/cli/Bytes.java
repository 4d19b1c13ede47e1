package io.raftkv.cli;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/** Keys and values on the command line are UTF-8 text. */
final class Bytes {
  private Bytes() {}

  static ByteString of(String text) {
    return ByteString.copyFrom(text, StandardCharsets.UTF_8);
  }

  static String text(ByteString bytes) {
    return bytes.toStringUtf8();
  }

  /** Most bytes {@link #display} shows of a binary value. */
  private static final int DISPLAY_LIMIT = 64;

  /**
   * Bytes for a line of output: the text if they are UTF-8 without control characters, else hex
   * ("0x...", cut after 64 bytes) so a binary value cannot garble the terminal or split the line.
   */
  static String display(ByteString bytes) {
    if (bytes.isValidUtf8()) {
      String text = bytes.toStringUtf8();
      if (text.chars().noneMatch(Character::isISOControl)) {
        return text;
      }
    }
    StringBuilder hex = new StringBuilder("0x");
    for (int i = 0; i < Math.min(bytes.size(), DISPLAY_LIMIT); i++) {
      hex.append(String.format("%02x", bytes.byteAt(i) & 0xFF));
    }
    if (bytes.size() > DISPLAY_LIMIT) {
      hex.append("...(").append(bytes.size()).append(" bytes)");
    }
    return hex.toString();
  }
}
