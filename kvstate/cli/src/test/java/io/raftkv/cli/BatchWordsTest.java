package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch lines split into words as a shell would split simple quoting, and answers quote what could be misread. */
class BatchWordsTest {
  private static List<String> words(String line) {
    BatchWords.Split split = BatchWords.split(line);
    assertThat(split).isInstanceOf(BatchWords.Words.class);
    return ((BatchWords.Words) split).words();
  }

  private static String malformed(String line) {
    BatchWords.Split split = BatchWords.split(line);
    assertThat(split).isInstanceOf(BatchWords.Malformed.class);
    return ((BatchWords.Malformed) split).reason();
  }

  @Test
  void spacesAndTabsSeparateWords() {
    assertThat(words("  put\tkey   value ")).containsExactly("put", "key", "value");
    assertThat(words("   ")).isEmpty();
  }

  @Test
  void quotedWordsKeepTheirSpaces() {
    assertThat(words("put 'a key' \"a value\"")).containsExactly("put", "a key", "a value");
    assertThat(words("put k ''")).containsExactly("put", "k", "");
    assertThat(words("put pre'fix and'\"suffix\" v")).containsExactly("put", "prefix andsuffix", "v");
  }

  @Test
  void singleQuotesTakeBackslashesAsTheyAre() {
    assertThat(words("put k 'a\\nb'")).containsExactly("put", "k", "a\\nb");
  }

  @Test
  void doubleQuotesUnderstandTheListedEscapes() {
    assertThat(words("put k \"q\\\" b\\\\ n\\n r\\r t\\t u\\u00e9\""))
        .containsExactly("put", "k", "q\" b\\ n\n r\r t\t u\u00e9");
  }

  @Test
  void anUnclosedQuoteIsNamedWithItsColumn() {
    assertThat(malformed("put k \"open")).contains("\" at column 7 is not closed");
    assertThat(malformed("put 'open")).contains("' at column 5 is not closed");
    assertThat(malformed("put k \"ends in backslash\\")).contains("not closed");
  }

  @Test
  void anUnknownEscapeIsNamedWithItsColumnAndTheAllowedOnes() {
    assertThat(malformed("put k \"a\\qb\"")).contains("unknown escape at column 9").contains("\\n");
    assertThat(malformed("put k \"\\u12\"")).contains("unknown escape at column 8");
  }

  @Test
  void plainDataIsWrittenAsItIs() {
    assertThat(BatchWords.quoteIfNeeded("hello world")).isEqualTo("hello world");
  }

  @Test
  void dataThatCouldBeMisreadIsQuotedAndReadsBackTheSame() {
    for (String text : List.of("", "two\nlines", "tab\there", "\"quoted\"", "ERR not an error", "bell\u0007")) {
      String quoted = BatchWords.quoteIfNeeded(text);
      assertThat(quoted).startsWith("\"").doesNotContain("\n").doesNotContain("\t");
      assertThat(words("put k " + quoted)).containsExactly("put", "k", text);
    }
  }
}
