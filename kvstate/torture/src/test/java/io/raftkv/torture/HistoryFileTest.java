package io.raftkv.torture;

import static io.raftkv.torture.TestHistory.ABSENT;
import static io.raftkv.torture.TestHistory.bytes;
import static io.raftkv.torture.TestHistory.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history file: every event survives a round trip, the format is as documented, bad lines are named. */
class HistoryFileTest {

  private static History everyKindOfEvent() {
    ByteString binaryKey = ByteString.copyFrom(new byte[] {0, (byte) 0xff, ' ', '\n'});
    History history = new History();
    history.append(new HistoryEvent.Invocation(1, 0, 10, bytes("x"), Command.put(bytes("a b"))));
    history.append(new HistoryEvent.Invocation(2, 1, 11, binaryKey, Command.put(ByteString.EMPTY)));
    history.append(new HistoryEvent.Completion(1, 12, Outcome.written()));
    history.append(new HistoryEvent.Invocation(3, 2, 13, bytes("x"), Command.get()));
    history.append(new HistoryEvent.Completion(3, 14, Outcome.read(value("a b"))));
    history.append(new HistoryEvent.Invocation(4, 2, 15, bytes("x"), Command.get()));
    history.append(new HistoryEvent.Completion(4, 16, Outcome.read(ABSENT)));
    history.append(new HistoryEvent.Invocation(5, 3, 17, bytes("x"), Command.delete()));
    history.append(new HistoryEvent.Completion(5, 18, Outcome.failed("NOT_LEADER: try \\ node 2\nthen 3\r")));
    history.append(new HistoryEvent.Invocation(6, 3, 19, bytes("x"),
        Command.compareAndSet(value("a b"), ABSENT)));
    history.append(new HistoryEvent.Completion(6, 20, Outcome.compared(true)));
    history.append(new HistoryEvent.Invocation(7, 4, 21, bytes("x"), Command.compareAndSet(ABSENT, value("c"))));
    history.append(new HistoryEvent.Completion(7, 22, Outcome.compared(false)));
    history.append(new HistoryEvent.Invocation(8, 4, 23, binaryKey,
        Command.compareVersionAndSet(17, Optional.of(ByteString.EMPTY))));
    history.append(new HistoryEvent.Completion(8, 24, Outcome.unknown("")));
    history.append(new HistoryEvent.Invocation(9, 5, -25, bytes("y"), Command.compareVersionAndSet(0, ABSENT)));
    return history;
  }

  @Test
  void roundTripThroughAFileKeepsEveryEvent(@TempDir Path dir) throws IOException {
    History history = everyKindOfEvent();
    Path file = dir.resolve("history.txt");
    HistoryFile.write(history, file);
    History back = HistoryFile.read(file);
    assertThat(back.events()).isEqualTo(history.events());
    assertThat(back.operations()).isEqualTo(history.operations());
  }

  @Test
  void formatIsAHeaderThenOneLinePerEvent() throws IOException {
    History history = new History();
    history.append(new HistoryEvent.Invocation(1, 7, 100, bytes("k"), Command.put(bytes("v"))));
    history.append(new HistoryEvent.Invocation(2, 8, 101, bytes("k"), Command.compareAndSet(value("v"), ABSENT)));
    history.append(new HistoryEvent.Completion(1, 102, Outcome.written()));
    history.append(new HistoryEvent.Completion(2, 103, Outcome.unknown("deadline exceeded")));
    StringWriter text = new StringWriter();
    HistoryFile.write(history, text);
    assertThat(text.toString()).isEqualTo(String.join("\n",
        "raftkv-history 1",
        "i 1 7 100 b:aw== put b:dg==",
        "i 2 8 101 b:aw== cas b:dg== absent",
        "c 1 102 written",
        "c 2 103 unknown deadline exceeded",
        ""));
  }

  @Test
  void commentsAndBlankLinesAreSkipped() throws IOException {
    History history = HistoryFile.read(new StringReader(
        "raftkv-history 1\n# a note\n\ni 1 0 5 b:eA== get\nc 1 6 read absent\n"));
    assertThat(history.operations()).singleElement().satisfies(op -> {
      assertThat(op.outcome()).isEqualTo(Outcome.read(ABSENT));
      assertThat(op.key()).isEqualTo(bytes("x"));
    });
  }

  @Test
  void badLinesAreReportedWithTheirNumberAndWhatIsWrong() {
    assertThatThrownBy(() -> read("not a history\n")).hasMessageContaining("not a history");
    assertThatThrownBy(() -> read("raftkv-history 1\ni 1 0 5 b:eA== frobnicate\n"))
        .hasMessageContaining("line 2").hasMessageContaining("unknown command 'frobnicate'");
    assertThatThrownBy(() -> read("raftkv-history 1\ni 1 0 5 b:e!A== get\n"))
        .hasMessageContaining("line 2").hasMessageContaining("not base64");
    assertThatThrownBy(() -> read("raftkv-history 1\ni 1 0 five b:eA== get\n"))
        .hasMessageContaining("time 'five'");
    assertThatThrownBy(() -> read("raftkv-history 1\ni 1 0 5 b:eA== get\n\nc 1 6 matched\n"))
        .hasMessageContaining("line 4").hasMessageContaining("Get");
    assertThatThrownBy(() -> read("raftkv-history 1\nc 1 6 written\n"))
        .hasMessageContaining("line 2").hasMessageContaining("never invoked");
    assertThatThrownBy(() -> read("raftkv-history 1\ni 1 0 5 b:eA== get extra\n"))
        .hasMessageContaining("unexpected text at the end");
  }

  @Test
  void historyReadBackGetsTheSameVerdicts() throws IOException {
    List<Operation> ops = RandomHistories.linearizable(7, new RandomHistories.Shape(3, 100, 4, 0.1, 0.1));
    StringWriter text = new StringWriter();
    HistoryFile.write(History.of(ops), text);
    CheckReport original = new LinearizabilityChecker().check(ops);
    CheckReport readBack = new LinearizabilityChecker().check(HistoryFile.read(new StringReader(text.toString())));
    assertThat(readBack.keys()).extracting(KeyVerdict::key, KeyVerdict::verdict)
        .isEqualTo(original.keys().stream().map(k -> tuple(k.key(), k.verdict())).toList());
    assertThat(original.linearizable()).isTrue();
  }

  private static History read(String text) throws IOException {
    return HistoryFile.read(new StringReader(text));
  }
}
