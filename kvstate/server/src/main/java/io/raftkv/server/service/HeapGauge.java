package io.raftkv.server.service;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JVM heap as the Status RPC reports it: used now, the maximum, and peaks sampled every 100 ms since
 * start (heap used, and heap still used after a collection: the live data a bound must hold).
 */
final class HeapGauge implements AutoCloseable {
  private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).toList();
  private final AtomicLong peak = new AtomicLong();
  private final AtomicLong afterGcPeak = new AtomicLong();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "raftkv-heap-sampler");
    t.setDaemon(true);
    return t;
  });

  HeapGauge() {
    sampler.scheduleWithFixedDelay(this::sample, 0, 100, TimeUnit.MILLISECONDS);
  }

  private void sample() {
    peak.accumulateAndGet(used(), Math::max);
    long afterGc = 0;
    for (MemoryPoolMXBean pool : heapPools) {
      MemoryUsage u = pool.getCollectionUsage();
      if (u != null) {
        afterGc += u.getUsed();
      }
    }
    afterGcPeak.accumulateAndGet(afterGc, Math::max);
  }

  long used() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  long max() {
    long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    return Math.max(0, max);
  }

  long peak() {
    sample();
    return peak.get();
  }

  long afterGcPeak() {
    sample();
    return afterGcPeak.get();
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
