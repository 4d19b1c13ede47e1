package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** Lines are read up to a bound; a longer one is skipped whole and reported with its length. */
class BoundedLinesTest {
  @Test
  void linesEndAtNewlinesAndACarriageReturnBeforeOneIsDropped() throws IOException {
    BoundedLines lines = new BoundedLines(new StringReader("one\r\ntwo\n\nlast"), 10);
    assertThat(lines.next()).isEqualTo(new BoundedLines.Text("one"));
    assertThat(lines.next()).isEqualTo(new BoundedLines.Text("two"));
    assertThat(lines.next()).isEqualTo(new BoundedLines.Text(""));
    assertThat(lines.next()).isEqualTo(new BoundedLines.Text("last"));
    assertThat(lines.next()).isNull();
  }

  @Test
  void aLineOverTheBoundIsReportedWithItsLengthAndTheNextLineStillReads() throws IOException {
    BoundedLines lines = new BoundedLines(new StringReader("12345\n123456\nok\n"), 5);
    assertThat(lines.next()).isEqualTo(new BoundedLines.Text("12345"));
    assertThat(lines.next()).isEqualTo(new BoundedLines.TooLong(6));
    assertThat(lines.next()).isEqualTo(new BoundedLines.Text("ok"));
    assertThat(lines.next()).isNull();
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> new BoundedLines(new StringReader(""), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line bound is 0");
  }
}
