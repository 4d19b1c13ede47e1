package io.raftkv.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs deploy/quickstart.sh the way a user does: up (a real Kafka broker, a real Connect worker, three
 * RaftKV nodes, the example connectors, records in and change events out), a second up, and down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickstartIT {
  private static final Path REPO = Path.of(System.getProperty("raftkv.repo", "..")).toAbsolutePath().normalize();
  private static Path home;
  /** Outputs of the runs, outside the quickstart's home (which 'clean' deletes). */
  private static Path logs;
  private static Map<String, String> env;

  private record Run(int exitCode, String output) {}

  /** A free port below the kernel's ephemeral range, which an outgoing connection cannot take meanwhile. */
  private static int freePort(Set<Integer> taken) throws IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = 10_000 + (int) (Math.random() * 10_000);
      if (!taken.add(port)) {
        continue; // picked already for another process that has not bound it yet
      }
      try (ServerSocket s = new ServerSocket(port)) {
        return port;
      } catch (IOException inUse) {
        // taken: try another
      }
    }
    throw new IOException("no free port between 10000 and 19999");
  }

  /** A base port whose +0..+2 and +100..+102 are free (RaftKV's client and peer ports). */
  private static int freeBasePort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 20_000 + (int) (Math.random() * 12_000); // below the ephemeral range (32768 and up)
      boolean free = true;
      for (int offset : new int[] {0, 1, 2, 100, 101, 102}) {
        try (ServerSocket s = new ServerSocket(base + offset)) {
          s.setReuseAddress(true);
        } catch (IOException inUse) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no free range of ports for RaftKV");
  }

  @BeforeAll
  static void environment() throws IOException {
    home = Files.createTempDirectory("raftkv-quickstart-it");
    logs = Files.createTempDirectory("raftkv-quickstart-it-logs");
    env = new HashMap<>();
    env.put("QUICKSTART_HOME", home.toString());
    Set<Integer> taken = new HashSet<>();
    env.put("KAFKA_PORT", String.valueOf(freePort(taken)));
    env.put("KAFKA_CONTROLLER_PORT", String.valueOf(freePort(taken)));
    env.put("CONNECT_PORT", String.valueOf(freePort(taken)));
    env.put("RAFTKV_BASE_PORT", String.valueOf(freeBasePort()));
  }

  @AfterAll
  static void stopEverything() throws Exception {
    quickstart(env, "clean");
  }

  private static Run quickstart(Map<String, String> environment, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("bash", REPO.resolve("deploy/quickstart.sh").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile()).redirectErrorStream(true);
    pb.environment().putAll(environment);
    Path log = Files.createTempFile(logs, "run", ".log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(8, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("quickstart " + String.join(" ", args) + " did not finish in 8 minutes:\n"
          + Files.readString(log, StandardCharsets.UTF_8));
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println("--- quickstart " + String.join(" ", args) + " ---\n" + output);
    return new Run(p.exitValue(), output);
  }

  @Test
  @Order(1)
  void upRunsThePipelineFromRecordsInToChangeEventsOut() throws Exception {
    Run up = quickstart(env, "up");
    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(up.output())
        .contains("Kafka broker up", "RaftKV up", "Kafka Connect worker up", "posted connector")
        .contains("everything runs", "quickstart.sh down");
    // The sink wrote the records into RaftKV, and the source exported each change: order-1 created, then
    // updated, and order-2 created.
    assertThat(up.output()).contains("\"qty\":3");
    assertThat(up.output()).containsPattern("order-1.*\"op\":\"c\"");
    assertThat(up.output()).containsPattern("order-1.*\"op\":\"u\"");
    assertThat(up.output()).containsPattern("order-2.*\"op\":\"c\"");
  }

  @Test
  @Order(2)
  void secondUpSaysItIsRunningInsteadOfFailingOddly() throws Exception {
    Run again = quickstart(env, "up");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.output()).contains("already running").contains("quickstart.sh down");
  }

  @Test
  @Order(3)
  void downStopsEveryProcessAndFreesThePorts() throws Exception {
    Run down = quickstart(env, "down");
    assertThat(down.exitCode()).isZero();
    for (String port : List.of(env.get("KAFKA_PORT"), env.get("CONNECT_PORT"), env.get("RAFTKV_BASE_PORT"))) {
      try (ServerSocket s = new ServerSocket(Integer.parseInt(port))) {
        assertThat(s.isBound()).isTrue();
      }
    }
  }

  @Test
  @Order(4)
  void portInUseIsNamedWithTheVariableThatMovesIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Map<String, String> clash = new HashMap<>(env);
      clash.put("CONNECT_PORT", String.valueOf(taken.getLocalPort()));
      Run up = quickstart(clash, "up");
      assertThat(up.exitCode()).isEqualTo(1);
      assertThat(up.output()).contains("port " + taken.getLocalPort() + " (for the Connect worker's REST API) is in use")
          .contains("CONNECT_PORT");
    }
  }
}
