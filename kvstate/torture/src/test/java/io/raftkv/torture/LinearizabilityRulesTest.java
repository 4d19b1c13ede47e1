package io.raftkv.torture;

import static io.raftkv.torture.TestHistory.ABSENT;
import static io.raftkv.torture.TestHistory.bytes;
import static io.raftkv.torture.TestHistory.value;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * One rule of a linearizable register per test, each with a history that obeys it and, where the rule
 * forbids something, one that breaks it. Times are arbitrary units; p0, p1, ... are clients.
 */
class LinearizabilityRulesTest {

  @Test
  void emptyHistoryIsLinearizable() {
    assertThat(new LinearizabilityChecker().check(new History()).linearizable()).isTrue();
  }

  @Test
  void sequentialHistoryIsLinearizable() {
    TestHistory h = new TestHistory()
        .put(0, 0, 1, "a").get(1, 2, 3, "a")
        .put(1, 4, 5, "b").get(0, 6, 7, "b")
        .delete(0, 8, 9).getAbsent(1, 10, 11);
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void keysStartAbsent() {
    assertThat(new TestHistory().getAbsent(0, 0, 1).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(new TestHistory().get(0, 0, 1, "a").verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void concurrentWritesEitherOrderIsLinearizable() {
    TestHistory aLast = new TestHistory().put(0, 0, 10, "a").put(1, 1, 9, "b").get(2, 11, 12, "a");
    TestHistory bLast = new TestHistory().put(0, 0, 10, "a").put(1, 1, 9, "b").get(2, 11, 12, "b");
    assertThat(aLast.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(bLast.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void concurrentReadsMustAgreeOnOneOrder() {
    // Two writes overlap; once one reader saw b then a, no other reader may see a then b after it.
    TestHistory consistent = new TestHistory()
        .put(0, 0, 10, "a").put(1, 0, 10, "b")
        .get(2, 1, 2, "a").get(2, 3, 4, "b").get(3, 5, 6, "b");
    TestHistory flipFlop = new TestHistory()
        .put(0, 0, 10, "a").put(1, 0, 10, "b")
        .get(2, 1, 2, "a").get(2, 3, 4, "b").get(3, 5, 6, "a");
    assertThat(consistent.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(flipFlop.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void staleReadAfterCompletedWriteIsNotLinearizable() {
    TestHistory h = new TestHistory().put(0, 0, 1, "a").put(0, 2, 3, "b").get(1, 4, 5, "a");
    assertThat(h.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void readConcurrentWithWriteMaySeeOldOrNewValue() {
    TestHistory old = new TestHistory().put(0, 0, 1, "a").put(0, 2, 10, "b").get(1, 3, 4, "a");
    TestHistory fresh = new TestHistory().put(0, 0, 1, "a").put(0, 2, 10, "b").get(1, 3, 4, "b");
    assertThat(old.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(fresh.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void readOfNeverWrittenValueIsNotLinearizable() {
    TestHistory h = new TestHistory().put(0, 0, 1, "a").get(1, 2, 3, "z");
    assertThat(h.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void readCannotSeeValueBeforeWriteInvoked() {
    TestHistory early = new TestHistory().get(1, 0, 1, "a").put(0, 2, 3, "a");
    TestHistory overlapping = new TestHistory().get(1, 0, 2, "a").put(0, 1, 3, "a");
    assertThat(early.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(overlapping.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void operationsThatTouchInTimeCountAsConcurrent() {
    // The read is invoked at the very instant the put completes: either order is allowed.
    TestHistory h = new TestHistory().put(0, 0, 5, "a").getAbsent(1, 5, 6);
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    TestHistory apart = new TestHistory().put(0, 0, 5, "a").getAbsent(1, 6, 7);
    assertThat(apart.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void unknownWriteMayTakeEffectLate() {
    // b timed out at 3, nobody saw it at 4-5, yet it shows up at 10: it was applied late.
    TestHistory h = new TestHistory()
        .put(0, 0, 1, "a").putUnknown(0, 2, 3, "b").get(1, 4, 5, "a").get(1, 10, 11, "b");
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void unknownWriteMayNeverTakeEffect() {
    TestHistory h = new TestHistory()
        .put(0, 0, 1, "a").putUnknown(0, 2, 3, "b").get(1, 4, 5, "a").get(1, 10, 11, "a");
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void unknownWriteTakesEffectAtMostOnce() {
    // Once b is overwritten by c, the single b write cannot come back.
    TestHistory h = new TestHistory()
        .putUnknown(0, 0, 1, "b").get(1, 2, 3, "b").put(1, 4, 5, "c").get(1, 6, 7, "b");
    assertThat(h.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void unknownWriteCannotTakeEffectBeforeItsInvocation() {
    TestHistory h = new TestHistory().get(1, 0, 1, "b").putUnknown(0, 2, 3, "b");
    assertThat(h.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void operationThatNeverCompletedIsUnknown() {
    History history = new History(new Clock()::next);
    long put = history.invoke(0, bytes("x"), Command.put(bytes("a")));
    long get = history.invoke(1, bytes("x"), Command.get());
    history.complete(get, Outcome.read(value("a")));
    assertThat(put).isNotEqualTo(get);
    assertThat(new LinearizabilityChecker().check(history).linearizable()).isTrue();
  }

  @Test
  void failedWriteMustNotBeObserved() {
    TestHistory h = new TestHistory().put(0, 0, 1, "a").putFailed(0, 2, 3, "b").get(1, 4, 5, "b");
    TestHistory concurrent = new TestHistory().put(0, 0, 1, "a").putFailed(0, 2, 6, "b").get(1, 3, 4, "b");
    TestHistory notObserved = new TestHistory().put(0, 0, 1, "a").putFailed(0, 2, 3, "b").get(1, 4, 5, "a");
    assertThat(h.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(concurrent.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(notObserved.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void readWithUnknownResultConstrainsNothing() {
    TestHistory h = new TestHistory().put(0, 0, 1, "a")
        .op(1, 2, 3, Command.get(), Outcome.unknown("timeout"))
        .op(1, 4, 5, Command.get(), Outcome.failed("UNAVAILABLE"))
        .get(1, 6, 7, "a");
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void casSucceedsOnlyOnMatchingValue() {
    TestHistory matching = new TestHistory().put(0, 0, 1, "a").cas(0, 2, 3, "a", "b", true).get(1, 4, 5, "b");
    TestHistory mismatching = new TestHistory().put(0, 0, 1, "a").cas(0, 2, 3, "z", "b", true);
    TestHistory refusedThoughMatching = new TestHistory().put(0, 0, 1, "a").cas(0, 2, 3, "a", "b", false);
    TestHistory refused = new TestHistory().put(0, 0, 1, "a").cas(0, 2, 3, "z", "b", false).get(1, 4, 5, "a");
    TestHistory refusedButApplied =
        new TestHistory().put(0, 0, 1, "a").cas(0, 2, 3, "z", "b", false).get(1, 4, 5, "b");
    assertThat(matching.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(mismatching.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(refusedThoughMatching.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(refused.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(refusedButApplied.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void casOnExpectedValueNeverMatchesAnAbsentKey() {
    TestHistory h = new TestHistory().cas(0, 0, 1, "a", "b", true);
    TestHistory refused = new TestHistory().cas(0, 0, 1, "a", "b", false);
    assertThat(h.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(refused.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void casExpectingAbsentMatchesOnlyAMissingKey() {
    Command createA = Command.compareAndSet(ABSENT, value("a"));
    Command createB = Command.compareVersionAndSet(0, value("b"));
    TestHistory firstWins = new TestHistory()
        .op(0, 0, 1, createA, Outcome.compared(true)).op(1, 2, 3, createB, Outcome.compared(false))
        .get(1, 4, 5, "a");
    TestHistory bothWin = new TestHistory()
        .op(0, 0, 1, createA, Outcome.compared(true)).op(1, 2, 3, createB, Outcome.compared(true));
    assertThat(firstWins.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(bothWin.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void casCanDeleteTheKey() {
    Command deleteIfA = Command.compareAndSet(value("a"), ABSENT);
    TestHistory h = new TestHistory().put(0, 0, 1, "a").op(0, 2, 3, deleteIfA, Outcome.compared(true))
        .getAbsent(1, 4, 5);
    TestHistory stillThere = new TestHistory().put(0, 0, 1, "a").op(0, 2, 3, deleteIfA, Outcome.compared(true))
        .get(1, 4, 5, "a");
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(stillThere.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void lostUpdateWithTwoSuccessfulCasFromSameValueIsNotLinearizable() {
    TestHistory h = new TestHistory().put(0, 0, 1, "a").cas(1, 2, 10, "a", "b", true).cas(2, 3, 9, "a", "c", true);
    assertThat(h.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void unknownCasMayTakeEffect() {
    TestHistory applied = new TestHistory().put(0, 0, 1, "a").casUnknown(1, 2, 3, "a", "b").get(2, 4, 5, "b");
    TestHistory notApplied = new TestHistory().put(0, 0, 1, "a").casUnknown(1, 2, 3, "a", "b").get(2, 4, 5, "a");
    TestHistory cannotMatch = new TestHistory().put(0, 0, 1, "a").casUnknown(1, 2, 3, "z", "b").get(2, 4, 5, "b");
    assertThat(applied.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(notApplied.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(cannotMatch.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void unknownDeleteMayFallBetweenAnUnreadPutAndACreate() {
    // Only put a, then the timed-out delete, then the create-if-absent explains what followed.
    Command createB = Command.compareAndSet(ABSENT, value("b"));
    TestHistory h = new TestHistory()
        .op(0, 0, 100, Command.delete(), Outcome.unknown("timeout"))
        .put(1, 10, 50, "a")
        .op(2, 11, 45, createB, Outcome.compared(true))
        .cas(3, 60, 70, "b", "c", true);
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void unknownPutMayRecreateADeletedKeyForAVersionCas() {
    // The version cas must come after the delete (the final cas expects its value), and only the
    // timed-out put can make the key exist again in between.
    Command setIfVersion2 = Command.compareVersionAndSet(2, value("c"));
    TestHistory h = new TestHistory()
        .put(0, 17, 21, "a").putUnknown(1, 21, 22, "b")
        .op(0, 27, 34, setIfVersion2, Outcome.compared(true))
        .delete(2, 32, 40)
        .cas(2, 41, 67, "c", "d", true);
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    TestHistory withoutThePut = new TestHistory()
        .put(0, 17, 21, "a")
        .op(0, 27, 34, setIfVersion2, Outcome.compared(true))
        .delete(2, 32, 40)
        .cas(2, 41, 67, "c", "d", true);
    assertThat(withoutThePut.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void unobservedUnknownWriteCanStillExplainAnUnmatchedCas() {
    // Nobody reads b, but only b taking effect explains why the cas expecting a did not match.
    TestHistory explained = new TestHistory()
        .put(0, 0, 1, "a").putUnknown(1, 2, 3, "b").cas(0, 5, 6, "a", "c", false);
    TestHistory unexplained = new TestHistory().put(0, 0, 1, "a").cas(0, 5, 6, "a", "c", false);
    assertThat(explained.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(unexplained.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void deleteThenReadAbsent() {
    TestHistory h = new TestHistory().put(0, 0, 1, "a").delete(0, 2, 3).getAbsent(1, 4, 5);
    TestHistory resurrected = new TestHistory().put(0, 0, 1, "a").delete(0, 2, 3).get(1, 4, 5, "a");
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(resurrected.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void matchedVersionCasRequiresAnExistingKey() {
    Command setIfVersion7 = Command.compareVersionAndSet(7, value("b"));
    TestHistory onAbsent = new TestHistory().op(0, 0, 1, setIfVersion7, Outcome.compared(true));
    TestHistory onPresent = new TestHistory().put(0, 0, 1, "a").op(0, 2, 3, setIfVersion7, Outcome.compared(true))
        .get(1, 4, 5, "b");
    TestHistory notApplied = new TestHistory().put(0, 0, 1, "a")
        .op(0, 2, 3, setIfVersion7, Outcome.compared(true)).get(1, 4, 5, "a");
    assertThat(onAbsent.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(onPresent.verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(notApplied.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void unmatchedVersionCasConstrainsNothing() {
    Command setIfVersion7 = Command.compareVersionAndSet(7, value("b"));
    TestHistory h = new TestHistory().op(0, 0, 1, setIfVersion7, Outcome.compared(false)).getAbsent(1, 2, 3)
        .put(0, 4, 5, "a").op(0, 6, 7, setIfVersion7, Outcome.compared(false)).get(1, 8, 9, "a");
    assertThat(h.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  /** Hands out 0, 1, 2, ... as nanosecond times. */
  private static final class Clock {
    private long now;

    long next() {
      return now++;
    }
  }
}
