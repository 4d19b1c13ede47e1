package io.raftkv.server.service;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.raftkv.api.AdminRpc;
import io.raftkv.api.KvRpc;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standard gRPC health service (grpc.health.v1.Health) of the client port: SERVING while the node is ready
 * ({@link Readiness}), NOT_SERVING otherwise, for the whole server ("") and each RaftKV service; re-judged every
 * {@link #PERIOD_MILLIS} ms on a thread of its own (a judgement may wait for a ReadIndex round).
 */
final class HealthReporter implements AutoCloseable {
  static final long PERIOD_MILLIS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(HealthReporter.class);
  private static final List<String> SERVICES = List.of(HealthStatusManager.SERVICE_NAME_ALL_SERVICES,
      KvRpc.SERVICE_DESCRIPTOR.getName(), AdminRpc.SERVICE_DESCRIPTOR.getName());

  private final HealthStatusManager health = new HealthStatusManager();
  private final Readiness readiness;
  private final AtomicReference<Readiness.Report> last = new AtomicReference<>(new Readiness.Report(false,
      "not judged yet"));
  private final ScheduledExecutorService timer;

  HealthReporter(Readiness readiness, String nodeName) {
    this.readiness = readiness;
    publish(last.get());
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "raftkv-health-" + nodeName);
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::judge, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  BindableService service() {
    return health.getHealthService();
  }

  /** The latest verdict. */
  Readiness.Report last() {
    return last.get();
  }

  private void judge() {
    Readiness.Report report;
    try {
      report = readiness.check();
    } catch (RuntimeException e) {
      report = new Readiness.Report(false, "readiness check failed: " + e);
    }
    Readiness.Report previous = last.getAndSet(report);
    if (previous.ready() != report.ready()) {
      LOG.info("node is {}: {}", report.ready() ? "ready" : "NOT ready", report.reason());
    }
    publish(report);
  }

  private void publish(Readiness.Report report) {
    ServingStatus status = report.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    SERVICES.forEach(service -> health.setStatus(service, status));
  }

  @Override
  public void close() {
    timer.shutdownNow();
    health.enterTerminalState();
  }
}
