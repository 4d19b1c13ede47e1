package io.raftkv.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Shrinking may only take operations out in ways that keep a linearizable history linearizable, or a
 * witness could show a violation the store never committed.
 */
class SoundRemovalTest {

  private static List<RegisterOp> encode(TestHistory h) {
    return RegisterEncoding.encode(h.operations());
  }

  private static List<Operation> sources(List<RegisterOp> ops) {
    return ops.stream().map(RegisterOp::source).toList();
  }

  @Test
  void soundRemovalKeepsLinearizableHistoriesLinearizable() {
    int checked = 0;
    for (long seed = 0; seed < 1500; seed++) {
      List<Operation> history = RandomHistories.perturbed(seed, 14, 4);
      if (!BruteForceLinearizability.isLinearizable(history)) {
        continue;
      }
      List<RegisterOp> ops = RegisterEncoding.encode(history);
      Random random = new Random(seed);
      boolean[] wanted = new boolean[ops.size()];
      for (int i = 0; i < wanted.length; i++) {
        wanted[i] = random.nextInt(3) == 0;
      }
      List<RegisterOp> rest = SoundRemoval.removeAsManyAsSound(ops, wanted);
      assertThat(BruteForceLinearizability.isLinearizable(sources(rest))).as("seed %d", seed).isTrue();
      checked++;
    }
    assertThat(checked).isGreaterThan(500);
  }

  @Test
  void writeWhoseValueIsReadLaterStays() {
    List<RegisterOp> ops = encode(new TestHistory().put(0, 0, 1, "a").get(1, 2, 3, "a"));
    assertThat(SoundRemoval.removeAsManyAsSound(ops, new boolean[] {true, false})).hasSize(2);
    assertThat(SoundRemoval.removeAsManyAsSound(ops, new boolean[] {true, true})).isEmpty();
  }

  @Test
  void writeReadOnlyBeforeItWasInvokedMayGo() {
    List<RegisterOp> ops = encode(new TestHistory().get(1, 0, 1, "a").put(0, 2, 3, "a"));
    assertThat(SoundRemoval.removeAsManyAsSound(ops, new boolean[] {false, true})).hasSize(1);
  }

  @Test
  void timedOutWriteNobodyCouldObserveIsDroppedBeforeTheSearch() {
    List<RegisterOp> ops = encode(new TestHistory().put(0, 0, 1, "a").putUnknown(1, 2, 3, "b").get(2, 4, 5, "a"));
    assertThat(SoundRemoval.withoutUnobservedOptionalWrites(ops)).extracting(op -> op.source().id())
        .containsExactly(1L, 3L);
  }

  @Test
  void timedOutWriteThatMayExplainAnUnmatchedCompareStays() {
    List<RegisterOp> ops = encode(new TestHistory().put(0, 0, 1, "a").putUnknown(1, 2, 3, "b")
        .cas(2, 4, 5, "a", "c", false));
    assertThat(SoundRemoval.withoutUnobservedOptionalWrites(ops)).hasSize(3);
  }
}
