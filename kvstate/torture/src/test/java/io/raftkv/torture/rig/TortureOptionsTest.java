package io.raftkv.torture.rig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The torture command's settings: bad ones are refused naming the value, and a run can be repeated. */
class TortureOptionsTest {
  private static TortureOptions options(int nodes, int clients, int keys) {
    return new TortureOptions(5, Duration.ofSeconds(30), nodes, clients, keys, EnumSet.of(FaultKind.KILL),
        Path.of("x"), false, 50, false);
  }

  @Test
  void theRigRunsThreeOrFiveNodes() {
    assertThatThrownBy(() -> options(4, 8, 8)).hasMessage("--nodes is 4: the rig runs 3 or 5 nodes");
    assertThatThrownBy(() -> options(3, 0, 8)).hasMessageContaining("--clients is 0");
    assertThatThrownBy(() -> options(3, 8, 0)).hasMessageContaining("--keys is 0");
  }

  @Test
  void faultsParseByTheirFlagNamesAndAnUnknownOneIsNamed() {
    assertThat(FaultKind.parse("kill, partition")).containsExactlyInAnyOrder(FaultKind.KILL, FaultKind.PARTITION);
    assertThat(FaultKind.parse("none")).isEmpty();
    assertThat(FaultKind.parse(FaultKind.all())).isEqualTo(EnumSet.allOf(FaultKind.class));
    assertThatThrownBy(() -> FaultKind.parse("kill,explode"))
        .hasMessage("--faults names 'explode': known faults are kill,pause,partition,drop-delay,wipe,flood,poison (or none)");
  }

  @Test
  void theRerunCommandRepeatsEverySetting() {
    TortureOptions o = new TortureOptions(42, Duration.ofSeconds(30), 5, 4, 6,
        Set.of(FaultKind.WIPE, FaultKind.KILL), Path.of("x"), false, 40, false);
    assertThat(o.rerunCommand()).isEqualTo("raftkv torture --seed 42 --duration 30000ms --nodes 5 --clients 4"
        + " --keys 6 --faults kill,wipe --tick-ms 40");
  }

  @Test
  void theRerunCommandOfAPlaintextRunSaysInsecure() {
    TortureOptions o = new TortureOptions(42, Duration.ofSeconds(30), 3, 4, 6, Set.of(), Path.of("x"), false, 40,
        true);
    assertThat(o.rerunCommand()).isEqualTo("raftkv torture --seed 42 --duration 30000ms --nodes 3 --clients 4"
        + " --keys 6 --faults none --tick-ms 40 --insecure");
  }
}
