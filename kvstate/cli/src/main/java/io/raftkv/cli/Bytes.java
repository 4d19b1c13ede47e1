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
}
