package io.raftkv.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Three members of one system running as local processes, and the client that talks to them: started,
 * waited for until a write commits, stopped with their data deleted (their logs are kept).
 */
final class BenchCluster implements AutoCloseable {
  private static final byte[] PROBE_KEY = "bench-ready-prob".getBytes(StandardCharsets.US_ASCII);

  private final String system;
  private final List<MemberProcess> members;
  private final List<Path> dataDirs;
  private KvStore store;

  /** One member to start: its name in messages, its command line, its data directory and its log file. */
  record Member(String name, List<String> command, Path dataDir, Path log) {}

  /**
   * Starts {@code members} and waits (at most {@code readyWithin}) until a write through the client
   * {@code connect} makes commits; stops whatever it started if they do not get there.
   */
  static BenchCluster launch(String system, List<Member> members, java.util.function.Supplier<KvStore> connect,
      Duration readyWithin) throws StartFailure, InterruptedException {
    List<MemberProcess> started = new ArrayList<>();
    BenchCluster cluster = null;
    try {
      for (Member m : members) {
        started.add(MemberProcess.start(m.name(), m.command(), m.log()));
      }
      cluster = new BenchCluster(system, started, members.stream().map(Member::dataDir).toList());
      cluster.awaitReady(connect.get(), readyWithin);
      return cluster;
    } catch (StartFailure | InterruptedException | RuntimeException e) {
      if (cluster != null) {
        cluster.close();
      } else {
        started.forEach(MemberProcess::close);
      }
      throw e;
    }
  }

  BenchCluster(String system, List<MemberProcess> members, List<Path> dataDirs) {
    this.system = system;
    this.members = List.copyOf(members);
    this.dataDirs = List.copyOf(dataDirs);
  }

  String system() {
    return system;
  }

  /** The client {@link #awaitReady} found ready. */
  KvStore store() {
    if (store == null) {
      throw new IllegalStateException(system + " is not ready yet");
    }
    return store;
  }

  /**
   * Waits until {@code store} commits a write, at most {@code limit}; fails as soon as a member exits.
   * The cluster owns the store from here on.
   */
  KvStore awaitReady(KvStore candidate, Duration limit) throws StartFailure, InterruptedException {
    this.store = candidate;
    long deadline = System.nanoTime() + limit.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      for (MemberProcess m : members) {
        m.checkAlive();
      }
      try {
        candidate.put(PROBE_KEY, PROBE_KEY).get(5, TimeUnit.SECONDS);
        return candidate;
      } catch (ExecutionException e) {
        last = e.getCause();
      } catch (TimeoutException e) {
        last = e;
      }
      Thread.sleep(200);
    }
    List<String> logs = new ArrayList<>();
    for (MemberProcess m : members) {
      logs.add(m.name() + ":\n" + m.logTail(10));
    }
    throw new StartFailure(system + " did not commit a write within " + limit.toSeconds() + " s (last error: "
        + last + "); the end of its members' logs:\n" + String.join("\n", logs));
  }

  /** CPU time all members have used so far, or -1 if the OS does not say for one of them. */
  long membersCpuNanos() {
    long sum = 0;
    for (MemberProcess m : members) {
      long cpu = m.cpuNanos();
      if (cpu < 0) {
        return -1;
      }
      sum += cpu;
    }
    return sum;
  }

  /** Fails if a member has exited since the start. */
  void checkMembersAlive() throws StartFailure {
    for (MemberProcess m : members) {
      m.checkAlive();
    }
  }

  @Override
  public void close() {
    if (store != null) {
      store.close();
    }
    members.forEach(MemberProcess::close);
    dataDirs.forEach(Dirs::deleteRecursively);
  }
}
