package io.raftkv.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {
  @Test
  void keysAreSixteenDistinctBytesAndTheValueIs256BytesTheSameForEverySystem() {
    Workload w = Workload.of(10_000);

    Set<String> distinct = new HashSet<>();
    for (byte[] key : w.keys()) {
      assertThat(key).hasSize(16);
      distinct.add(new String(key, StandardCharsets.US_ASCII));
    }
    assertThat(distinct).hasSize(10_000);
    assertThat(w.value()).hasSize(256);
    assertThat(Arrays.equals(w.value(), Workload.of(1).value())).isTrue();
  }

  @Test
  void aKeyCountOutOfRangeIsRefusedNamingIt() {
    assertThatThrownBy(() -> Workload.of(0)).hasMessageContaining("key count 0");
  }
}
