package io.raftkv.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Violations come with a small failing sub-history (the witness), found by shrinking the key's history,
 * and with the writes of the values it observes that are not in it.
 */
class WitnessTest {

  /** Some clients busy on the key before and after: p5 and p6 write and read other values. */
  private static TestHistory noise(TestHistory h, long from, long to) {
    for (long t = from; t < to; t += 10) {
      h.put(5, t, t + 4, "noise-" + t).get(6, t + 5, t + 8, "noise-" + t);
    }
    return h;
  }

  private static List<Long> ids(List<Operation> ops) {
    return ops.stream().map(Operation::id).toList();
  }

  @Test
  void staleReadWitnessIsTheTwoWritesAndTheRead() {
    TestHistory h = noise(new TestHistory(), 0, 300);
    int before = h.operations().size();
    h.put(0, 300, 310, "a").put(1, 320, 330, "b").get(2, 340, 350, "a");
    noise(h, 400, 700);
    KeyVerdict verdict = h.check();
    assertThat(verdict.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(ids(verdict.witness())).containsExactly(before + 1L, before + 2L, before + 3L);
    assertThat(verdict.related()).isEmpty();
  }

  @Test
  void lostUpdateWitnessIsThePutAndBothCompareAndSets() {
    TestHistory h = noise(new TestHistory(), 0, 200);
    int before = h.operations().size();
    h.put(0, 200, 201, "a").cas(1, 210, 230, "a", "b", true).cas(2, 211, 229, "a", "c", true);
    KeyVerdict verdict = h.check();
    assertThat(ids(verdict.witness())).containsExactly(before + 1L, before + 2L, before + 3L);
  }

  @Test
  void observedFailedWriteShowsTheReadWithTheFailedWriteBesideIt() {
    TestHistory h = noise(new TestHistory(), 0, 100);
    h.putFailed(0, 100, 105, "ghost").get(1, 110, 120, "ghost");
    noise(h, 130, 200);
    KeyVerdict verdict = h.check();
    assertThat(verdict.witness()).singleElement()
        .satisfies(op -> assertThat(op.outcome()).isEqualTo(Outcome.read(TestHistory.value("ghost"))));
    assertThat(verdict.related()).singleElement()
        .satisfies(op -> assertThat(op.outcome()).isInstanceOf(Outcome.Failed.class));
  }

  @Test
  void reportShowsTheKeyAndEachOperationWithTimesFromTheFirst() {
    TestHistory h = new TestHistory().onKey("accounts/7")
        .put(0, 1_000_000, 2_000_000, "a").put(1, 3_000_000, 4_500_000, "b").get(2, 5_000_000, 6_250_000, "a");
    String report = new LinearizabilityChecker().check(h.operations()).render();
    assertThat(report).startsWith("NOT linearizable: 1 keys, 3 operations; 0 linearizable, 1 not linearizable")
        .contains("key \"accounts/7\": NOT linearizable (3 operations")
        .contains("these 3 of its operations cannot be linearized together:");
    assertThat(report.lines().filter(line -> line.contains("#")).map(String::strip).toList()).containsExactly(
        "#1       p0        0.000        1.000  put \"a\"                                  ok",
        "#2       p1        2.000        3.500  put \"b\"                                  ok",
        "#3       p2        4.000        5.250  get                                      read \"a\"");
  }

  @Test
  void reportShowsUnknownAndFailedOutcomesAndBinaryValues() {
    TestHistory h = new TestHistory()
        .op(0, 0, 10, Command.put(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2})),
            Outcome.unknown("DEADLINE_EXCEEDED"))
        .op(1, 0, 10, Command.put(TestHistory.bytes("z")), Outcome.failed("NOT_LEADER"))
        .get(2, 20, 30, "z");
    String report = new LinearizabilityChecker().check(h.operations()).render();
    assertThat(report).contains("get").contains("read \"z\"")
        .contains("outside them, these write values they observe")
        .contains("put \"z\"").contains("failed (NOT_LEADER)");
    assertThat(ReportFormatter.witness(h.operations())).contains("put 0x0102").contains("unknown (DEADLINE_EXCEEDED)");
  }
}
