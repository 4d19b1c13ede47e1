package io.raftkv.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One cluster member run as a child process, its output appended to a log file; stopped with SIGTERM
 * (then SIGKILL after a grace period), and by a shutdown hook should the benchmark itself be interrupted.
 */
final class MemberProcess implements AutoCloseable {
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
        "stop-cluster-members"));
  }

  private final String name;
  private final Process process;
  private final Path log;

  private MemberProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command}; its stdout and stderr go to {@code log}. */
  static MemberProcess start(String name, List<String> command, Path log) throws StartFailure {
    try {
      Files.createDirectories(log.getParent());
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      RUNNING.add(process);
      return new MemberProcess(name, process, log);
    } catch (IOException e) {
      throw new StartFailure(name + " could not be started (" + String.join(" ", command) + "): " + e.getMessage(), e);
    }
  }

  String name() {
    return name;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Fails if the process has exited, with its exit code and the end of its log. */
  void checkAlive() throws StartFailure {
    if (!process.isAlive()) {
      throw new StartFailure(name + " exited with code " + process.exitValue() + "; the end of its log ("
          + log + "):\n" + logTail(20));
    }
  }

  /** CPU time the process has used so far (user and system), or -1 if the OS does not say. */
  long cpuNanos() {
    return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
  }

  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(could not read " + log + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    RUNNING.remove(process);
  }
}
