package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.Optional;

/** Keys and values as a person reads them in a report. */
final class PrintableBytes {
  /** Most bytes shown of a binary value. */
  private static final int HEX_LIMIT = 32;

  private PrintableBytes() {}

  /** "text" in quotes if the bytes are printable UTF-8, else 0x-hex (cut after 32 bytes). */
  static String of(ByteString bytes) {
    if (bytes.isValidUtf8()) {
      String text = bytes.toStringUtf8();
      if (text.chars().noneMatch(Character::isISOControl) && text.indexOf('"') < 0) {
        return '"' + text + '"';
      }
    }
    StringBuilder hex = new StringBuilder("0x");
    for (int i = 0; i < Math.min(bytes.size(), HEX_LIMIT); i++) {
      hex.append(String.format("%02x", bytes.byteAt(i) & 0xFF));
    }
    if (bytes.size() > HEX_LIMIT) {
      hex.append("...(").append(bytes.size()).append(" bytes)");
    }
    return hex.toString();
  }

  static String of(Optional<ByteString> value) {
    return value.map(PrintableBytes::of).orElse("absent");
  }
}
