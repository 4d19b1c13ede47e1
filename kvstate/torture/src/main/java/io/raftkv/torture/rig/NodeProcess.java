package io.raftkv.torture.rig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One `raftkv server --fault-injection` process in a slot with fixed loopback ports, serving TLS with a
 * certificate naming its member id (plaintext in an --insecure run): started, killed with SIGKILL, paused with
 * SIGSTOP and resumed, or given a fresh identity (a new member id and an empty data directory) at the same
 * addresses. Not thread-safe: the nemesis and the final checks use it in turn.
 */
final class NodeProcess {
  private final Path root;
  private final List<String> javaCommand;
  private final int clientPort;
  private final int peerPort;
  private final int tickMs;
  private final RigSecurity security;
  private long memberId;
  private boolean founding;
  private volatile Process process;
  private boolean paused;

  NodeProcess(Path root, List<String> javaCommand, long memberId, int clientPort, int peerPort, int tickMs,
      RigSecurity security) {
    this.root = root;
    this.javaCommand = List.copyOf(javaCommand);
    this.memberId = memberId;
    this.founding = true;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.tickMs = tickMs;
    this.security = security;
  }

  long memberId() {
    return memberId;
  }

  String clientAddress() {
    return "127.0.0.1:" + clientPort;
  }

  String peerAddress() {
    return "127.0.0.1:" + peerPort;
  }

  Path dataDir() {
    return root.resolve("node-" + memberId);
  }

  Path logFile() {
    return root.resolve("node-" + memberId + ".log");
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  boolean paused() {
    return paused;
  }

  /** Starts the server: on its own data if it has some, else with {@code peers} while founding the cluster, else with --join. */
  void start(String peers) throws IOException {
    List<String> command = new ArrayList<>(javaCommand);
    command.addAll(List.of("server", "--id", String.valueOf(memberId), "--client-addr", clientAddress(),
        "--peer-addr", peerAddress(), "--data-dir", dataDir().toString(), "--tick-ms", String.valueOf(tickMs),
        "--election-ticks", "10", "--fault-injection"));
    command.addAll(security.serverFlags(memberId));
    if (io.raftkv.server.storage.StorageEngine.isDataDirectory(dataDir())) {
      // a restart: the node takes its members from its data, which may differ from the founding ones by now
    } else if (founding) {
      command.addAll(List.of("--peers", peers));
    } else {
      command.add("--join");
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    process = pb.start();
    paused = false;
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    paused = false;
  }

  /** SIGKILL without waiting, for a shutdown hook. */
  void killQuietly() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  void pause() throws IOException, InterruptedException {
    signal("STOP");
    paused = true;
  }

  void resume() throws IOException, InterruptedException {
    signal("CONT");
    paused = false;
  }

  private void signal(String name) throws IOException, InterruptedException {
    if (!running()) {
      return;
    }
    // The shell's own kill: a minimal system (a CI container) may have no kill program (procps).
    Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " exited with " + kill.exitValue());
    }
  }

  /**
   * Deletes the data directory of the (killed) node and takes {@code newMemberId}: the next start joins
   * the running cluster as a new member, with an empty directory.
   */
  void wipeAs(long newMemberId) throws IOException {
    if (running()) {
      throw new IllegalStateException("node " + memberId + " still runs: kill it before wiping its data");
    }
    deleteTree(dataDir());
    memberId = newMemberId;
    founding = false;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
