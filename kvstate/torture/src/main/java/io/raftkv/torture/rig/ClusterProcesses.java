package io.raftkv.torture.rig;

import io.raftkv.api.Member;
import io.raftkv.api.NetworkFaults;
import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster under test: one {@link NodeProcess} per slot on loopback, the clients every part of the rig makes
 * ({@link #clients()}), the admin calls the nemesis needs (leader lookup, network faults, member removal and
 * addition) and the way back to a whole cluster.
 */
final class ClusterProcesses implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterProcesses.class);
  /**
   * The `raftkv` entry point the nodes run. The rig runs inside `raftkv torture` (or a test of the CLI), so
   * this JVM's class path holds it; named, not referenced, because the CLI module depends on this one.
   */
  static final String RAFTKV_MAIN = "io.raftkv.cli.RaftKvCli";

  private final List<NodeProcess> nodes;
  private final RigClients clients;
  private final RaftKvClient admin;
  private final NetworkFaultCalls faults;
  private long nextMemberId;
  private Thread reaper;

  private ClusterProcesses(List<NodeProcess> nodes, RigClients clients) {
    this.nodes = List.copyOf(nodes);
    this.clients = clients;
    this.admin = clients.connect(endpoints(), Duration.ofSeconds(10));
    this.faults = new NetworkFaultCalls(clients);
    this.nextMemberId = nodes.size() + 1;
  }

  /**
   * Starts {@code count} founding nodes, this JVM's class path running {@code RaftKvCli}, secured as
   * {@code security} says, and waits for a leader.
   */
  static ClusterProcesses start(Path dir, int count, int tickMs, RigSecurity security)
      throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> javaCommand = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), RAFTKV_MAIN);
    Set<Integer> taken = new HashSet<>();
    List<NodeProcess> nodes = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      nodes.add(new NodeProcess(dir, javaCommand, i, FreePorts.freePort(taken), FreePorts.freePort(taken), tickMs,
          security));
    }
    ClusterProcesses cluster = new ClusterProcesses(nodes, new RigClients(security.clientFiles()));
    // A rig stopped with Ctrl-C (or a build timing out) must not leave servers running on its ports.
    Thread reaper = new Thread(() -> nodes.forEach(NodeProcess::killQuietly), "torture-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    cluster.reaper = reaper;
    try {
      for (NodeProcess n : nodes) {
        n.start(cluster.foundingPeers());
      }
      cluster.awaitLeader(Duration.ofSeconds(60));
    } catch (IOException | RuntimeException | InterruptedException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private String foundingPeers() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      b.append(b.length() == 0 ? "" : ",").append(i + 1).append('=').append(nodes.get(i).peerAddress());
    }
    return b.toString();
  }

  List<NodeProcess> nodes() {
    return nodes;
  }

  List<String> endpoints() {
    return nodes.stream().map(NodeProcess::clientAddress).toList();
  }

  /** How every part of the rig makes its clients of this cluster. */
  RigClients clients() {
    return clients;
  }

  /** The node that leads, as the nodes that answer say; empty if none knows. */
  Optional<NodeProcess> leader() {
    for (NodeProcess n : nodes) {
      if (!n.running() || n.paused()) {
        continue;
      }
      Optional<StatusResponse> s = status(n);
      if (s.isPresent() && s.get().getLeaderId() != 0) {
        long leaderId = s.get().getLeaderId();
        return nodes.stream().filter(x -> x.memberId() == leaderId).findFirst();
      }
    }
    return Optional.empty();
  }

  Optional<StatusResponse> status(NodeProcess n) {
    try {
      return Optional.of(admin.status(n.clientAddress()));
    } catch (RaftKvException e) {
      return Optional.empty();
    }
  }

  void awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (leader().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no leader within " + timeout.toSeconds() + " s; see the node logs");
      }
      Thread.sleep(100);
    }
  }

  /** Starts a stopped node on its data and waits until it serves, so the next fault meets a whole cluster. */
  void restart(NodeProcess n) throws IOException, InterruptedException {
    n.start(foundingPeers());
    awaitServing(n);
  }

  /** Waits (up to a minute: a JVM starts slowly on a busy machine) until the node answers status calls. */
  void awaitServing(NodeProcess n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (status(n).isEmpty()) {
      if (!n.running() || System.nanoTime() > deadline) {
        throw new IllegalStateException("node " + n.memberId() + (n.running() ? " does not answer after 60 s"
            : " exited") + "; see " + n.logFile());
      }
      Thread.sleep(100);
    }
  }

  void setFaults(NodeProcess n, NetworkFaults f) {
    faults.set(n.clientAddress(), f);
  }

  /** Clears the network faults of every node that answers; the final heal insists on the rest. */
  void clearFaultsWherePossible() {
    for (NodeProcess n : nodes) {
      try {
        setFaults(n, NetworkFaults.getDefaultInstance());
      } catch (IllegalStateException e) {
        LOG.debug("could not clear the faults of node {}: {}", n.memberId(), e.getMessage());
      }
    }
  }

  /**
   * Replaces a killed node by a new member at the same addresses: removes it from the cluster, wipes its
   * data, adds the new member and starts it with --join. Returns false (and restarts the node as it was)
   * if the cluster would not remove it in time.
   */
  boolean replaceWithNewMember(NodeProcess n) throws IOException, InterruptedException {
    long oldId = n.memberId();
    try {
      admin.removeMember(oldId);
    } catch (RaftKvException e) {
      LOG.info("could not remove node {} ({}); restarting it on its data instead", oldId, e.getMessage());
      restart(n);
      return false;
    }
    long newId = nextMemberId++;
    n.wipeAs(newId);
    Member member = Member.newBuilder().setId(newId).setPeerAddress(n.peerAddress())
        .setClientAddress(n.clientAddress()).build();
    // The new member must be in the configuration before it starts; until the add succeeds the cluster
    // runs one node short, which a 3-node cluster survives.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        admin.addMember(member);
        break;
      } catch (RaftKvException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the cluster would not add node " + newId + " within 60 s: "
              + e.getMessage(), e);
        }
      }
    }
    n.start(foundingPeers());
    awaitServing(n);
    return true;
  }

  /** Resumes paused nodes, starts dead ones and clears every node's network faults. */
  void healAll() throws IOException, InterruptedException {
    for (NodeProcess n : nodes) {
      if (n.paused()) {
        n.resume();
      }
      if (!n.running()) {
        n.start(foundingPeers());
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (NodeProcess n : nodes) {
      while (true) {
        try {
          setFaults(n, NetworkFaults.getDefaultInstance());
          break;
        } catch (IllegalStateException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("node " + n.memberId() + " did not come back within 60 s: "
                + e.getMessage() + "; see " + n.logFile(), e);
          }
          Thread.sleep(200);
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (NodeProcess n : nodes) {
      n.kill();
    }
    if (reaper != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: nothing left to undo
      }
    }
    admin.close();
    faults.close();
  }
}
