package io.raftkv.cli;

import com.google.protobuf.ByteString;
import io.raftkv.api.ReadConsistency;
import io.raftkv.client.RaftKvClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** raftkv bench: writes/s and reads/s with latency percentiles at several concurrency levels. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark a running cluster: acknowledged writes/s and linearizable reads/s with p50/p99/p999"
        + " latency at each concurrency level.")
final class BenchCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,16,64,256",
      description = "Requests in flight, one run per value (default: ${DEFAULT-VALUE}).")
  int[] concurrency;

  @Option(names = "--duration", defaultValue = "10s", description = "Length of each run (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--value-size", defaultValue = "256", description = "Value bytes (default: ${DEFAULT-VALUE}).")
  int valueSize;

  @Option(names = "--keys", defaultValue = "10000", description = "Distinct keys written (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--no-reads", description = "Skip the read runs.")
  boolean noReads;

  @Option(names = "--warmup", defaultValue = "3s",
      description = "Unreported load first, so the JVMs' compilers have done their work (default: ${DEFAULT-VALUE}; 0s: none).")
  String warmup;

  /** Largest value the cluster takes (KvLimits). */
  static final int MAX_VALUE_SIZE = 1 << 20;
  /** Most distinct keys: their names are held in memory. */
  static final int MAX_KEYS = 10_000_000;

  @Override
  public Integer call() throws Exception {
    long runNanos = Durations.parse("--duration", duration).toNanos();
    long warmupNanos = Durations.parseOrZero("--warmup", warmup).toNanos();
    if (valueSize < 0 || valueSize > MAX_VALUE_SIZE) {
      throw new IllegalArgumentException("--value-size is " + valueSize + ": expected 0 to " + MAX_VALUE_SIZE
          + " bytes (the cluster's value limit)");
    }
    if (keys < 1 || keys > MAX_KEYS) {
      throw new IllegalArgumentException("--keys is " + keys + ": expected 1 to " + MAX_KEYS);
    }
    for (int c : concurrency) {
      if (c < 1 || c > 4096) {
        throw new IllegalArgumentException("--concurrency value " + c + ": expected 1-4096");
      }
    }
    byte[] value = new byte[valueSize];
    ThreadLocalRandom.current().nextBytes(value);
    ByteString payload = ByteString.copyFrom(value);
    List<String> rows = new ArrayList<>();
    errorKinds.clear();
    try (RaftKvClient c = client.connect()) {
      if (warmupNanos > 0) {
        int most = Arrays.stream(concurrency).max().orElse(1);
        System.out.printf("  warming up for %.0fs (not reported)%n", warmupNanos / 1e9);
        run("warmup", most, noReads ? warmupNanos : warmupNanos / 2, key -> c.putAsync(key, payload));
        if (!noReads) {
          run("warmup", most, warmupNanos / 2, key -> c.getAsync(key, ReadConsistency.LINEARIZABLE));
        }
        errorKinds.clear();
      }
      for (int n : concurrency) {
        rows.add(run("write", n, runNanos, key -> c.putAsync(key, payload)));
        if (!noReads) {
          rows.add(run("read", n, runNanos, key -> c.getAsync(key, ReadConsistency.LINEARIZABLE)));
        }
      }
    }
    System.out.println();
    System.out.printf("%-6s %11s %10s %10s %10s %10s %8s%n", "op", "concurrency", "ops/s", "p50 ms", "p99 ms",
        "p999 ms", "errors");
    rows.forEach(System.out::println);
    if (!errorKinds.isEmpty()) {
      System.out.println();
      System.out.println("errors:");
      errorKinds.forEach((kind, count) -> System.out.println("  " + count + " x " + kind));
    }
    return ExitCodes.OK;
  }

  private final java.util.Map<String, Integer> errorKinds = new java.util.concurrent.ConcurrentHashMap<>();

  private interface Operation {
    CompletableFuture<?> start(ByteString key);
  }

  /**
   * Keeps {@code inFlight} requests outstanding for {@code runNanos} through the client's asynchronous API:
   * each answer starts the next request, so the client spends no thread per request in flight.
   */
  private String run(String name, int inFlight, long runNanos, Operation op) throws InterruptedException {
    ByteString[] keyNames = RequestChain.keys("bench-", keys);
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime();
    long end = start + runNanos;
    CountDownLatch finished = new CountDownLatch(inFlight);
    List<RequestChain> chains = new ArrayList<>();
    for (int i = 0; i < inFlight; i++) {
      RequestChain chain = new RequestChain(op::start, keyNames,
          new RequestChain.Run(end, done, errors, finished, errorKinds));
      chains.add(chain);
      chain.next();
    }
    long lastPrint = start;
    while (!finished.await(200, TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() - lastPrint >= TimeUnit.SECONDS.toNanos(1)) {
        lastPrint = System.nanoTime();
        double secs = (lastPrint - start) / 1e9;
        System.out.printf("  %s c=%d: %.0fs, %d ops, %.0f ops/s, %d errors%n", name, inFlight, secs, done.get(),
            done.get() / secs, errors.get());
      }
    }
    long elapsed = System.nanoTime() - start;
    long[] merged = chains.stream().flatMapToLong(RequestChain::closeLatencies).sorted().toArray();
    return String.format("%-6s %11d %10.0f %10.2f %10.2f %10.2f %8d", name, inFlight,
        merged.length / (elapsed / 1e9), RequestChain.percentileMillis(merged, 0.50), RequestChain.percentileMillis(merged, 0.99),
        RequestChain.percentileMillis(merged, 0.999), errors.get());
  }

}
