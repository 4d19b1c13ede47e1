package io.raftkv.torture;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each key is its own register: a violation on one is found, and reported alone, among many good ones. */
class PerKeyIndependenceTest {

  @Test
  void violationOnOneKeyIsFoundAmongManyLinearizableKeys() {
    List<Operation> ops = new ArrayList<>(RandomHistories.linearizable(3, new RandomHistories.Shape(40, 80, 4, 0.1, 0.05)));
    ops.addAll(new TestHistory().onKey("the-bad-one")
        .put(0, 0, 1, "a").put(0, 2, 3, "b").get(1, 4, 5, "a").operations().stream()
        .map(op -> new Operation(op.id() + 1_000_000, op.process(), op.key(), op.command(), op.invokedNanos(),
            op.completedNanos(), op.outcome()))
        .toList());
    CheckReport report = new LinearizabilityChecker().check(ops);
    assertThat(report.keys()).hasSize(41);
    assertThat(report.violations()).extracting(KeyVerdict::key).containsExactly(ByteString.copyFromUtf8("the-bad-one"));
    assertThat(report.undecided()).isEmpty();
    assertThat(report.linearizable()).isFalse();
  }

  @Test
  void valueWrittenToOneKeyCannotBeReadFromAnother() {
    TestHistory h = new TestHistory().onKey("x").put(0, 0, 1, "a").onKey("y").get(1, 2, 3, "a");
    CheckReport report = new LinearizabilityChecker().check(h.operations());
    assertThat(report.keys()).extracting(KeyVerdict::verdict)
        .containsExactly(Verdict.LINEARIZABLE, Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void keysAreReportedInByteOrder() {
    TestHistory h = new TestHistory().onKey("b").put(0, 0, 1, "v").onKey("a").put(0, 2, 3, "v")
        .onKey("c").getAbsent(0, 4, 5);
    assertThat(new LinearizabilityChecker().check(h.operations()).keys()).extracting(k -> k.key().toStringUtf8())
        .containsExactly("a", "b", "c");
  }
}
