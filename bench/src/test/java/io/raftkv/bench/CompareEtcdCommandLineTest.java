package io.raftkv.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line is checked before anything starts; a system that cannot start ends the run with 3. */
class CompareEtcdCommandLineTest {
  @TempDir
  Path dir;

  private Path launcher;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void fakeLauncher() throws IOException {
    launcher = executable("raftkv", "exit 0");
  }

  private Path executable(String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  private int run(String... args) {
    CommandLine cl = CompareEtcd.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--work-dir", dir.resolve("work").toString()));
    if (!all.contains("--raftkv-launcher")) {
      all.addAll(List.of("--raftkv-launcher", launcher.toString()));
    }
    return cl.execute(all.toArray(String[]::new));
  }

  @Test
  void aDurationThatIsNotOneIsRefusedWithExitCode2NamingTheFlag() {
    assertThat(run("--duration", "fast")).isEqualTo(2);
    assertThat(err.toString()).contains("--duration").contains("'fast' is not a duration");
  }

  @Test
  void aZeroDurationIsRefused() {
    assertThat(run("--duration", "0s")).isEqualTo(2);
    assertThat(err.toString()).contains("--duration 0ms: expected more than 0");
  }

  @Test
  void aLevelOutOfRangeIsRefusedNamingTheFlagAndTheValue() {
    assertThat(run("--concurrency", "1,0,64")).isEqualTo(2);
    assertThat(err.toString()).contains("--concurrency value 0: expected 1 to 4096");
  }

  @Test
  void zeroRoundsAreRefused() {
    assertThat(run("--rounds", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--rounds 0: expected 1 to 100");
  }

  @Test
  void zeroKeysAreRefused() {
    assertThat(run("--keys", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--keys 0: expected 1 to 10000000");
  }

  @Test
  void aMissingRaftKvLauncherIsRefusedNamingTheFlag() {
    assertThat(run("--raftkv-launcher", dir.resolve("nothing-here").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--raftkv-launcher " + dir.resolve("nothing-here"));
  }

  @Test
  void aMissingEtcdEndsTheRunWithExitCode3SayingHowToInstallIt() {
    assertThat(run("--etcd", dir.resolve("no-etcd").toString())).isEqualTo(3);
    assertThat(err.toString()).contains("etcd did not start").contains("apt-get install -y etcd-server");
  }

  @Test
  void aMemberThatExitsAtStartEndsTheRunWithExitCode3AndItsLog() throws IOException {
    Path fakeEtcd = executable("etcd", "echo 'etcd: bad flag' >&2; exit 7");

    assertThat(run("--etcd", fakeEtcd.toString(), "--duration", "1s", "--warmup", "0s", "--keys", "1"))
        .isEqualTo(3);
    assertThat(err.toString()).contains("etcd did not start: etcd member 1 exited with code 7").contains("etcd: bad flag")
        .contains("logs are kept in");
  }
}
