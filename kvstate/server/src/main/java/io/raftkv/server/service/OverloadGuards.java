package io.raftkv.server.service;

import io.raftkv.server.node.OverloadLimits;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One node's overload guards, shared by its services: admission control for writes and reads, the stream
 * slots, the timer that ends stalled streams, and the heap gauge the Status RPC reports.
 */
record OverloadGuards(OverloadLimits limits, AdmissionControl admission, StreamSlots watches,
    StreamSlots backups, ScheduledExecutorService timer, HeapGauge heap) implements AutoCloseable {
  @Override
  public void close() {
    timer.shutdownNow();
    heap.close();
  }
}
