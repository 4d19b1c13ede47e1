package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Unit tests of {@link Inflights}: the ring-buffer flow-control window of appends in flight to one follower. */
class InflightsTest {

  private static Inflights withAdded(int capacity, long... indexes) {
    Inflights in = new Inflights(capacity);
    for (long i : indexes) {
      in.add(i);
    }
    return in;
  }

  @Test
  void newWindowIsEmptyAndNotFull() {
    Inflights in = new Inflights(3);

    assertThat(in.count()).isZero();
    assertThat(in.full()).isFalse();
  }

  @Test
  void windowIsFullOnlyOnceCapacityAppendsAreInFlight() {
    Inflights in = new Inflights(3);

    in.add(1);
    in.add(2);
    assertThat(in.full()).isFalse();
    assertThat(in.count()).isEqualTo(2);

    in.add(3);
    assertThat(in.full()).isTrue();
    assertThat(in.count()).isEqualTo(3);
  }

  @Test
  void addingToAFullWindowThrows() {
    Inflights in = withAdded(2, 1, 2);

    assertThatThrownBy(() -> in.add(3)).isInstanceOf(IllegalStateException.class);
    assertThat(in.count()).isEqualTo(2);
  }

  @Test
  void freeLEFreesEveryAppendAtOrBelowTheIndex() {
    Inflights in = withAdded(10, 2, 4, 6, 8, 10);

    in.freeLE(5);
    assertThat(in.count()).isEqualTo(3);

    in.freeLE(6);
    assertThat(in.count()).isEqualTo(2);

    in.freeLE(10);
    assertThat(in.count()).isZero();
  }

  @Test
  void freeLEBelowTheOldestAppendFreesNothing() {
    Inflights in = withAdded(5, 4, 5, 6);

    in.freeLE(3);
    in.freeLE(0);

    assertThat(in.count()).isEqualTo(3);
  }

  @Test
  void freeLEOfAStaleIndexAfterFreeingIsHarmless() {
    Inflights in = withAdded(5, 4, 5, 6);
    in.freeLE(5);

    in.freeLE(4);

    assertThat(in.count()).isEqualTo(1);
  }

  @Test
  void freeLEOnAnEmptyWindowDoesNothing() {
    Inflights in = new Inflights(3);

    in.freeLE(100);

    assertThat(in.count()).isZero();
    in.add(1);
    in.add(2);
    in.add(3);
    assertThat(in.full()).isTrue();
  }

  @Test
  void freeingMakesRoomForMoreAppends() {
    Inflights in = withAdded(3, 1, 2, 3);

    in.freeLE(1);

    assertThat(in.full()).isFalse();
    in.add(4);
    assertThat(in.full()).isTrue();
  }

  @Test
  void windowWrapsAroundTheRingBuffer() {
    Inflights in = withAdded(5, 1, 2, 3, 4, 5);
    in.freeLE(3); // 4 5 left, in the last two slots

    in.add(6); // these three go to slots 0..2
    in.add(7);
    in.add(8);
    assertThat(in.full()).isTrue();

    in.freeLE(4);
    assertThat(in.count()).isEqualTo(4);
    in.freeLE(6); // frees 5 (last slot) and 6 (slot 0): across the end of the buffer
    assertThat(in.count()).isEqualTo(2);
    in.freeLE(7);
    assertThat(in.count()).isEqualTo(1);

    in.add(9);
    in.add(10);
    in.add(11);
    in.add(12);
    assertThat(in.full()).isTrue();
    in.freeLE(10);
    assertThat(in.count()).as("11 and 12 left").isEqualTo(2);
    in.freeLE(11);
    in.freeFirstOne();
    assertThat(in.count()).isZero();
  }

  @Test
  void freeLEStopsAtTheFirstLargerIndexAcrossTheWrap() {
    Inflights in = withAdded(4, 1, 2, 3);
    in.freeLE(2); // 3 left in slot 2
    in.add(10); // slot 3
    in.add(20); // slot 0
    in.add(30); // slot 1

    in.freeLE(25);

    assertThat(in.count()).isEqualTo(1);
    in.freeLE(29);
    assertThat(in.count()).isEqualTo(1);
    in.freeLE(30);
    assertThat(in.count()).isZero();
  }

  @Test
  void freeFirstOneFreesOnlyTheOldestAppend() {
    Inflights in = withAdded(5, 3, 6, 9);

    in.freeFirstOne();
    assertThat(in.count()).isEqualTo(2);
    in.freeLE(5);
    assertThat(in.count()).as("3 was the one freed: 6 and 9 remain").isEqualTo(2);

    in.freeFirstOne();
    in.freeLE(8);
    assertThat(in.count()).as("6 was the one freed: 9 remains").isEqualTo(1);
  }

  @Test
  void freeFirstOneOnAnEmptyWindowDoesNothing() {
    Inflights in = new Inflights(2);

    in.freeFirstOne();

    assertThat(in.count()).isZero();
  }

  @Test
  void freeFirstOneUnblocksAFullWindow() {
    Inflights in = withAdded(2, 1, 2);

    in.freeFirstOne();

    assertThat(in.full()).isFalse();
    in.add(3);
    assertThat(in.full()).isTrue();
  }

  @Test
  void resetEmptiesTheWindow() {
    Inflights in = withAdded(3, 1, 2, 3);
    in.freeLE(1);
    in.add(4);

    in.reset();

    assertThat(in.count()).isZero();
    assertThat(in.full()).isFalse();
    in.add(10);
    in.add(11);
    in.add(12);
    assertThat(in.full()).isTrue();
    in.freeLE(10);
    assertThat(in.count()).isEqualTo(2);
  }

  @Test
  void copyIsIndependentOfTheOriginal() {
    Inflights in = withAdded(3, 1, 2);
    Inflights copy = in.copy();

    in.add(3);
    in.freeLE(2);
    copy.freeLE(1);

    assertThat(in.count()).isEqualTo(1);
    assertThat(copy.count()).isEqualTo(1);
    copy.add(5);
    copy.add(6);
    assertThat(copy.full()).isTrue();
    assertThat(in.full()).isFalse();
  }

  @Test
  void windowOfCapacityOneAlternatesBetweenEmptyAndFull() {
    Inflights in = new Inflights(1);

    for (long i = 1; i <= 5; i++) {
      in.add(i);
      assertThat(in.full()).isTrue();
      in.freeLE(i - 1);
      assertThat(in.count()).isEqualTo(1);
      in.freeLE(i);
      assertThat(in.count()).isZero();
    }
  }

  @Test
  void windowBehavesLikeAQueueOverManyWraps() {
    Random random = new Random(42);
    int capacity = 7;
    Inflights in = new Inflights(capacity);
    ArrayDeque<Long> model = new ArrayDeque<>();
    long next = 1;

    for (int step = 0; step < 5_000; step++) {
      int op = random.nextInt(4);
      if (op <= 1 && model.size() < capacity) {
        next += 1 + random.nextInt(3);
        in.add(next);
        model.addLast(next);
      } else if (op == 2) {
        long to = next - random.nextInt(8);
        in.freeLE(to);
        while (!model.isEmpty() && model.peekFirst() <= to) {
          model.pollFirst();
        }
      } else {
        in.freeFirstOne();
        model.pollFirst();
      }
      assertThat(in.count()).as("step %d", step).isEqualTo(model.size());
      assertThat(in.full()).as("step %d", step).isEqualTo(model.size() == capacity);
    }
  }
}
