package io.raftkv.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftkv.api.NetworkFaults;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fate of each outgoing batch under the faults a rig asks for. */
class NetworkFaultInjectorTest {
  private static NetworkFaults faults(double dropRate, int maxDelayMs, long seed, Long... blocked) {
    return NetworkFaults.newBuilder().setDropRate(dropRate).setMaxDelayMs(maxDelayMs).setSeed(seed)
        .addAllBlockedPeers(List.of(blocked)).build();
  }

  @Test
  void withoutFaultsEveryBatchGoesAtOnceAndNoPeerIsBlocked() {
    NetworkFaultInjector injector = new NetworkFaultInjector(1);
    for (int i = 0; i < 1000; i++) {
      assertThat(injector.delayMillis()).isZero();
    }
    assertThat(injector.blocks(2)).isFalse();
  }

  @Test
  void blockedPeersAreBlockedUntilTheNextRequestReplacesThem() {
    NetworkFaultInjector injector = new NetworkFaultInjector(1);
    injector.set(faults(0, 0, 1, 2L, 3L));
    assertThat(injector.blocks(2)).isTrue();
    assertThat(injector.blocks(3)).isTrue();
    assertThat(injector.blocks(4)).isFalse();
    injector.set(NetworkFaults.getDefaultInstance());
    assertThat(injector.blocks(2)).isFalse();
  }

  @Test
  void theDropRateIsTheShareOfBatchesDropped() {
    NetworkFaultInjector injector = new NetworkFaultInjector(1);
    injector.set(faults(0.3, 0, 7));
    int dropped = 0;
    for (int i = 0; i < 20_000; i++) {
      long fate = injector.delayMillis();
      if (fate == NetworkFaultInjector.DROP) {
        dropped++;
      } else {
        assertThat(fate).isZero();
      }
    }
    assertThat(dropped / 20_000.0).isBetween(0.28, 0.32);
  }

  @Test
  void delaysSpreadOverZeroToTheMaximumAndNeverBeyond() {
    NetworkFaultInjector injector = new NetworkFaultInjector(1);
    injector.set(faults(0, 50, 7));
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 20_000; i++) {
      long d = injector.delayMillis();
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertThat(min).isZero();
    assertThat(max).isEqualTo(50);
  }

  @Test
  void theSameSeedGivesTheSameFates() {
    List<Long> first = fates(42);
    assertThat(fates(42)).isEqualTo(first);
    assertThat(fates(43)).isNotEqualTo(first);
  }

  private static List<Long> fates(long seed) {
    NetworkFaultInjector injector = new NetworkFaultInjector(1);
    injector.set(faults(0.5, 100, seed));
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      out.add(injector.delayMillis());
    }
    return out;
  }

  @Test
  void aDropRateOutsideZeroToOneIsRefusedNamingIt() {
    NetworkFaultInjector injector = new NetworkFaultInjector(1);
    assertThatThrownBy(() -> injector.set(faults(1.5, 0, 1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("drop_rate is 1.5: it must be between 0 and 1");
    assertThatThrownBy(() -> injector.set(faults(Double.NaN, 0, 1))).hasMessageContaining("drop_rate is NaN");
    assertThatThrownBy(() -> injector.set(faults(-0.1, 0, 1))).hasMessageContaining("drop_rate is -0.1");
  }

  @Test
  void aDelayOverTheMaximumIsRefusedNamingIt() {
    NetworkFaultInjector injector = new NetworkFaultInjector(1);
    assertThatThrownBy(() -> injector.set(faults(0, 10_001, 1)))
        .hasMessage("max_delay_ms is 10001: it must be between 0 and 10000");
  }

  @Test
  void blockingItselfIsRefusedAndLeavesTheFaultsInForce() {
    NetworkFaultInjector injector = new NetworkFaultInjector(1);
    injector.set(faults(0, 0, 1, 2L));
    assertThatThrownBy(() -> injector.set(faults(0, 0, 1, 1L))).hasMessageContaining("names node 1, this node itself");
    assertThat(injector.blocks(2)).isTrue();
  }
}
