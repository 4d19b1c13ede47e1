package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.torture.rig.FaultKind;
import io.raftkv.torture.rig.ProgressGoal;
import io.raftkv.torture.rig.TortureOptions;
import io.raftkv.torture.rig.TortureRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Short torture runs with fixed seeds against real `raftkv server` processes, in the default build: kills,
 * partitions and the other faults, then every final check (linearizability, lost or doubled writes, feeds,
 * states). The runs are secure as the rig's default is: TLS on both ports of every node (new members included),
 * the clients and the fault calls presenting the admin certificate. A failing run keeps its files under
 * target/torture-it/ and prints how to re-run its seed.
 */
class TortureIT {
  private static final int MIN_FAULTS = 3;
  private static final int MIN_ANSWERED = 300;

  private static TortureRun.Summary run(long seed, int nodes, Duration duration, Set<FaultKind> faults)
      throws Exception {
    Path dir = Path.of("target", "torture-it", "seed-" + seed);
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    TortureOptions options = new TortureOptions(seed, duration, nodes, 6, 6, faults, dir, false, 50, false);
    // The run is scheduled by progress: on a slow or busy machine it goes on past its duration (up to 5
    // minutes more) until it has injected the faults and answered the operations the assertions ask for.
    ProgressGoal goal = new ProgressGoal(MIN_FAULTS, MIN_ANSWERED + 1, Duration.ofMinutes(5));
    return new TortureRun(options, goal, System.out).run();
  }

  @Test
  void threeNodesUnderEveryKindOfFaultKeepEveryPromise() throws Exception {
    TortureRun.Summary s = run(7, 3, Duration.ofSeconds(20), EnumSet.allOf(FaultKind.class));
    assertThat(s.passed()).as("seed 7 passed (see its summary above)").isTrue();
    assertThat(s.ok()).as("operations answered").isGreaterThan(MIN_ANSWERED);
    assertThat(s.faults().values().stream().mapToInt(Integer::intValue).sum()).as("faults injected")
        .isGreaterThanOrEqualTo(MIN_FAULTS);
  }

  @Test
  void fiveNodesUnderKillsAndPartitionsKeepEveryPromise() throws Exception {
    TortureRun.Summary s = run(11, 5, Duration.ofSeconds(15), EnumSet.of(FaultKind.KILL, FaultKind.PARTITION));
    assertThat(s.passed()).as("seed 11 passed (see its summary above)").isTrue();
    assertThat(s.ok()).as("operations answered").isGreaterThan(MIN_ANSWERED);
    assertThat(s.faults().values().stream().mapToInt(Integer::intValue).sum()).as("faults injected")
        .isGreaterThanOrEqualTo(MIN_FAULTS);
  }
}
