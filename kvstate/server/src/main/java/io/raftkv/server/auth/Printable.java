package io.raftkv.server.auth;

import com.google.protobuf.ByteString;

/** Keys and names as messages show them: printable ASCII as is, anything else escaped, long ones cut. */
public final class Printable {
  private static final int MAX_SHOWN = 80;

  private Printable() {}

  /** {@code key} for a message: printable ASCII as is, other bytes as \xNN, cut after 80 bytes. */
  public static String key(ByteString key) {
    StringBuilder out = new StringBuilder();
    int shown = Math.min(key.size(), MAX_SHOWN);
    for (int i = 0; i < shown; i++) {
      int b = key.byteAt(i) & 0xFF;
      if (b >= 0x20 && b < 0x7F && b != '\\' && b != '\'') {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    if (key.size() > shown) {
      out.append("...(").append(key.size()).append(" bytes)");
    }
    return out.toString();
  }

  /** {@code text} for a message: control characters escaped, cut after 80 characters. */
  public static String text(String text) {
    StringBuilder out = new StringBuilder();
    int shown = Math.min(text.length(), MAX_SHOWN);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return text.length() > shown ? out + "...(" + text.length() + " characters)" : out.toString();
  }
}
