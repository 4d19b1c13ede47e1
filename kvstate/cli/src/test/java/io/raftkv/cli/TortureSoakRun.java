package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.torture.rig.FaultKind;
import io.raftkv.torture.rig.TortureOptions;
import io.raftkv.torture.rig.TortureRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The long torture run (`mvn -Ptorture`): one-minute runs over consecutive seeds, alternating 3 and 5
 * nodes, for raftkv.torture.minutes (default 30), then totals and the re-run command of every failed seed.
 * Not in the default build: its name matches neither surefire's nor failsafe's default patterns.
 */
class TortureSoakRun {
  @Test
  void manySeedsFindNoViolation() throws Exception {
    long minutes = Long.getLong("raftkv.torture.minutes", 30);
    long seed = Long.getLong("raftkv.torture.firstSeed", System.currentTimeMillis() % 1_000_000);
    Duration each = Duration.ofSeconds(Long.getLong("raftkv.torture.seconds", 60));
    long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
    int runs = 0;
    long operations = 0;
    long ok = 0;
    long unknown = 0;
    long keys = 0;
    Map<FaultKind, Integer> faults = new EnumMap<>(FaultKind.class);
    List<String> failed = new ArrayList<>();
    while (System.nanoTime() < end) {
      int nodes = runs % 2 == 0 ? 3 : 5;
      TortureOptions options = new TortureOptions(seed, each, nodes, 8, 8, EnumSet.allOf(FaultKind.class),
          Path.of("target", "torture-soak", "seed-" + seed), false, 50, false);
      TortureRun.Summary s = new TortureRun(options, System.out).run();
      runs++;
      operations += s.operations();
      ok += s.ok();
      unknown += s.unknown();
      keys += s.keysChecked();
      s.faults().forEach((k, n) -> faults.merge(k, n, Integer::sum));
      if (!s.passed()) {
        failed.add(options.rerunCommand() + "   (files: " + options.dir() + ")");
      }
      seed++;
    }
    System.out.println();
    System.out.println("==== torture soak: " + runs + " runs in " + minutes + " min ====");
    System.out.println("operations: " + operations + " (" + ok + " ok, " + unknown + " unknown)");
    System.out.println("faults injected: " + faults);
    System.out.println("histories checked: " + runs + " (" + keys + " keys)");
    System.out.println("violations: " + failed.size() + (failed.isEmpty() ? "" : ", re-run with:"));
    failed.forEach(f -> System.out.println("  " + f));
    assertThat(failed).as("seeds that failed").isEmpty();
  }
}
