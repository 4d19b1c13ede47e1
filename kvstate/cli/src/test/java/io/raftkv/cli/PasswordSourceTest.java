package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a password comes from: a file (one trailing line break dropped), else the environment; bad ones named. */
class PasswordSourceTest {
  private final PasswordSource source = new PasswordSource("--password-file", "RAFTKV_PASSWORD");

  @TempDir
  Path dir;

  @Test
  void aFileGivesItsTextLessOneTrailingLineBreak() throws Exception {
    Path unix = Files.writeString(dir.resolve("a"), "s3cret\n");
    Path windows = Files.writeString(dir.resolve("b"), "s3cret\r\n");
    Path bare = Files.writeString(dir.resolve("c"), " spaced \n\n");
    assertThat(source.read(unix.toString(), "ignored", "p", false)).containsExactly("s3cret".toCharArray());
    assertThat(source.read(windows.toString(), null, "p", false)).containsExactly("s3cret".toCharArray());
    assertThat(source.read(bare.toString(), null, "p", false)).containsExactly(" spaced \n".toCharArray());
  }

  @Test
  void theEnvironmentIsReadWhenNoFileIsGiven() {
    assertThat(source.read(null, "from-env", "p", false)).containsExactly("from-env".toCharArray());
    assertThatThrownBy(() -> source.read(null, "", "p", false)).hasMessage("$RAFTKV_PASSWORD: a password is 1 to 1024"
        + " bytes (UTF-8); this one is 0");
  }

  @Test
  void anEmptyTooLongUnreadableOrBinaryFileIsRefusedNamingTheFlagButNeverThePassword() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> source.read(empty.toString(), null, "p", false))
        .hasMessageContaining("--password-file " + empty).hasMessageContaining("1 to 1024 bytes");
    Path longOne = Files.writeString(dir.resolve("long"), "x".repeat(2000));
    assertThatThrownBy(() -> source.read(longOne.toString(), null, "p", false))
        .hasMessageContaining("holds 2000 bytes").hasMessageNotContaining("xxxx");
    assertThatThrownBy(() -> source.read(dir.resolve("absent").toString(), null, "p", false))
        .hasMessageContaining("cannot be read");
    Path binary = Files.write(dir.resolve("bin"), new byte[] {(byte) 0xC3, 0x28});
    assertThatThrownBy(() -> source.read(binary.toString(), null, "p", false)).hasMessageContaining("not UTF-8 text");
  }

  @Test
  void withoutFileEnvironmentOrTerminalTheMessageSaysWhatToGive() {
    assumeTrue(System.console() == null, "run from a terminal: the prompt would wait for input");
    assertThatThrownBy(() -> source.read(null, null, "p", false))
        .hasMessage("no password given and no terminal to ask on: give --password-file FILE or set $RAFTKV_PASSWORD");
  }
}
