package io.raftkv.torture.rig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Partition shapes: who blocks whom, both ways. */
class PartitionsTest {
  private static final List<Long> FIVE = List.of(1L, 2L, 3L, 4L, 5L);

  @Test
  void anIsolatedLeaderBlocksEveryoneAndEveryoneBlocksIt() {
    Partitions.Shape s = Partitions.isolated(FIVE, 3);
    assertThat(s.blocked().get(3L)).containsExactlyInAnyOrder(1L, 2L, 4L, 5L);
    for (long other : List.of(1L, 2L, 4L, 5L)) {
      assertThat(s.blocked().get(other)).containsExactly(3L);
    }
  }

  @Test
  void aMinorityIsCutFromTheMajorityBothWays() {
    for (int seed = 0; seed < 20; seed++) {
      Partitions.Shape s = Partitions.majorityMinority(FIVE, new Random(seed));
      long cutOff = FIVE.stream().filter(id -> s.blocked().get(id).size() == 3).count();
      assertThat(cutOff).as("nodes on the minority side (seed %s)", seed).isEqualTo(2);
      assertSymmetric(s);
    }
  }

  @Test
  void theBridgeReachesBothHalvesWhichCannotReachEachOther() {
    for (int seed = 0; seed < 20; seed++) {
      Partitions.Shape s = Partitions.bridge(FIVE, new Random(seed));
      long bridges = FIVE.stream().filter(id -> s.blocked().get(id).isEmpty()).count();
      assertThat(bridges).as("seed %s: %s", seed, s).isEqualTo(1);
      for (long id : FIVE) {
        assertThat(s.blocked().get(id).size()).isIn(0, 2);
      }
      assertSymmetric(s);
    }
    Partitions.Shape three = Partitions.bridge(List.of(1L, 2L, 3L), new Random(1));
    assertThat(three.blocked().values().stream().mapToInt(Set::size).sum()).isEqualTo(2);
  }

  private static void assertSymmetric(Partitions.Shape s) {
    s.blocked().forEach((a, blocked) -> blocked.forEach(b -> assertThat(s.blocked().get(b)).contains(a)));
  }
}
