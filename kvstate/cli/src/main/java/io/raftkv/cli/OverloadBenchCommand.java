package io.raftkv.cli;

import com.google.protobuf.ByteString;
import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * raftkv overload-bench: steps the offered write load (requests in flight over several clients) far past
 * what the cluster takes, and shows that admission control keeps the nodes up and their throughput steady.
 */
@Command(name = "overload-bench", mixinStandardHelpOptions = true,
    description = "Offer a running cluster more writes than it can take (several clients, growing numbers of"
        + " requests in flight) and print, per step: admitted writes/s, refusals/s (RESOURCE_EXHAUSTED, each"
        + " retried by the client), p99 latency, errors and the nodes' peak heap; then the ratio of the top"
        + " step's throughput to the best step's.")
final class OverloadBenchCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  /** Eight: a client keeps at most 512 writes out (RaftKvClient.MAX_OUTSTANDING_SPAN), 8 x 512 = 4,096. */
  @Option(names = "--clients", defaultValue = "8",
      description = "Separate clients (connections, client ids) sharing the load; each keeps at most 512 writes"
          + " out (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--in-flight", split = ",", defaultValue = "64,512,4096",
      description = "Writes in flight over all clients, one step per value (default: ${DEFAULT-VALUE}).")
  int[] steps;

  @Option(names = "--duration", defaultValue = "10s", description = "Length of each step (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--value-size", defaultValue = "65536", description = "Value bytes (default: ${DEFAULT-VALUE}).")
  int valueSize;

  @Option(names = "--keys", defaultValue = "10000", description = "Distinct keys written (default: ${DEFAULT-VALUE}).")
  int keys;

  private final Map<String, Integer> errorKinds = new ConcurrentHashMap<>();

  @Override
  public Integer call() throws Exception {
    long runNanos = Durations.parse("--duration", duration).toNanos();
    if (clients < 1 || clients > 64) {
      throw new IllegalArgumentException("--clients is " + clients + "; expected 1-64");
    }
    if (valueSize < 0 || valueSize > (1 << 20) || keys < 1) {
      throw new IllegalArgumentException("--value-size must be 0 to 1048576 (is " + valueSize
          + ") and --keys at least 1 (is " + keys + ")");
    }
    for (int n : steps) {
      if (n < 1 || n > 65_536) {
        throw new IllegalArgumentException("--in-flight value " + n + ": expected 1-65536");
      }
    }
    byte[] value = new byte[valueSize];
    ThreadLocalRandom.current().nextBytes(value);
    ByteString payload = ByteString.copyFrom(value);
    List<String> endpoints = client.endpointList();
    List<Step> results = new ArrayList<>();
    List<RaftKvClient> all = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        all.add(client.connect());
      }
      for (int n : steps) {
        Step step = run(all, n, runNanos, payload);
        step.heap = heap(all.get(0), endpoints);
        results.add(step);
        System.out.println("  " + step.row());
      }
    } finally {
      all.forEach(RaftKvClient::close);
    }
    System.out.println();
    System.out.println(Step.HEADER);
    results.forEach(s -> System.out.println(s.row()));
    double best = results.stream().mapToDouble(s -> s.writesPerSecond).max().orElse(0);
    double top = results.get(results.size() - 1).writesPerSecond;
    System.out.println();
    System.out.printf("knee: the top step (%d in flight) admits %.0f writes/s, %.0f%% of the best step's %.0f%n",
        results.get(results.size() - 1).inFlight, top, best == 0 ? 0 : 100 * top / best, best);
    if (!errorKinds.isEmpty()) {
      System.out.println();
      System.out.println("errors (after the client's retries ran out):");
      errorKinds.forEach((kind, count) -> System.out.println("  " + count + " x " + kind));
    }
    return ExitCodes.OK;
  }

  /** One step's figures. */
  private static final class Step {
    static final String HEADER = String.format("%9s %9s %7s %10s %9s %7s %7s  %s", "in flight", "writes/s", "MiB/s",
        "refusals/s", "p99 ms", "errors", "late", "heap per node: used now / peak / peak after GC / max (MiB)");
    int inFlight;
    double writesPerSecond;
    double mibPerSecond;
    double refusalsPerSecond;
    double p99Millis;
    long errors;
    /** Requests still out at the step's end that then failed (their deadline ran out). */
    long drainErrors;
    String heap = "";

    String row() {
      return String.format("%9d %9.0f %7.1f %10.0f %9.1f %7d %7d  %s", inFlight, writesPerSecond, mibPerSecond,
          refusalsPerSecond, p99Millis, errors, drainErrors, heap);
    }
  }

  private Step run(List<RaftKvClient> all, int inFlight, long runNanos, ByteString payload)
      throws InterruptedException {
    ByteString[] keyNames = RequestChain.keys("overload-", keys);
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long refusalsBefore = all.stream().mapToLong(RaftKvClient::refusals).sum();
    long start = System.nanoTime();
    long end = start + runNanos;
    CountDownLatch finished = new CountDownLatch(inFlight);
    RequestChain.Run shared = new RequestChain.Run(end, done, errors, finished, errorKinds);
    List<RequestChain> chains = new ArrayList<>(inFlight);
    for (int i = 0; i < inFlight; i++) {
      RaftKvClient sender = all.get(i % all.size());
      chains.add(new RequestChain(key -> sender.putAsync(key, payload), keyNames, shared));
    }
    chains.forEach(RequestChain::next);
    // The step's figures count what completed within it; then the requests still out are waited for
    // (not counted), so the next step starts from an idle cluster.
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
    long refusalsInStep = all.stream().mapToLong(RaftKvClient::refusals).sum() - refusalsBefore;
    long[] merged = chains.stream().flatMapToLong(RequestChain::closeLatencies).sorted().toArray();
    long errorsInStep = errors.get();
    finished.await();
    Step step = new Step();
    step.inFlight = inFlight;
    double secs = runNanos / 1e9;
    step.writesPerSecond = merged.length / secs;
    step.mibPerSecond = merged.length * (double) payload.size() / (1 << 20) / secs;
    step.refusalsPerSecond = refusalsInStep / secs;
    step.drainErrors = errors.get() - errorsInStep;
    step.p99Millis = RequestChain.percentileMillis(merged, 0.99);
    step.errors = errorsInStep;
    return step;
  }

  /** Each node's heap as its Status reports it, or why it did not answer (a node that fell over shows here). */
  private static String heap(RaftKvClient c, List<String> endpoints) {
    StringBuilder out = new StringBuilder();
    for (String e : endpoints) {
      if (out.length() > 0) {
        out.append("; ");
      }
      try {
        StatusResponse s = c.status(e);
        out.append(String.format("n%d %d/%d/%d/%d", s.getNodeId(), s.getHeapUsedBytes() >> 20,
            s.getHeapPeakBytes() >> 20, s.getHeapAfterGcPeakBytes() >> 20, s.getHeapMaxBytes() >> 20));
      } catch (RaftKvException ex) {
        out.append(e).append(" DOWN (").append(ex.code()).append(')');
      }
    }
    return out.toString();
  }
}
