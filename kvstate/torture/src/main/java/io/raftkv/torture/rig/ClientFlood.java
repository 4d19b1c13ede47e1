package io.raftkv.torture.rig;

import com.google.protobuf.ByteString;
import io.raftkv.client.RaftKvClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A burst of load far past what the cluster admits: several clients, each keeping hundreds of writes in
 * flight on keys of their own, for as long as the nemesis holds the fault. Every value is unique and goes
 * through the ledger, so the final checks hold the flood's writes to the same rules as the workload's:
 * none lost once acknowledged, none applied twice.
 */
final class ClientFlood {
  static final int CLIENTS = 4;
  static final int IN_FLIGHT_PER_CLIENT = 512;
  static final int KEYS = 256;
  private static final int VALUE_BYTES = 64;
  /** A flood write's deadline, retries after refusals included. */
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  /** What one burst did. */
  record Result(long sent, long acknowledged, long failed) {}

  /** The cluster's client addresses now: a wiped node comes back under a new port. */
  private final Supplier<List<String>> endpoints;
  private final RigClients rigClients;
  private final ValueLedger ledger;
  private long bursts;

  ClientFlood(Supplier<List<String>> endpoints, RigClients rigClients, ValueLedger ledger) {
    this.endpoints = endpoints;
    this.rigClients = rigClients;
    this.ledger = ledger;
  }

  /** Floods the cluster for {@code length}, then waits (up to the deadline) for the writes still in flight. */
  Result burst(Duration length) throws InterruptedException {
    long burst = ++bursts;
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long sent = 0;
    List<RaftKvClient> clients = new ArrayList<>();
    List<Semaphore> inFlight = new ArrayList<>();
    try {
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(rigClients.connect(endpoints.get(), DEADLINE));
        inFlight.add(new Semaphore(IN_FLIGHT_PER_CLIENT));
      }
      long until = System.nanoTime() + length.toNanos();
      while (System.nanoTime() < until) {
        for (int c = 0; c < CLIENTS; c++) {
          if (!inFlight.get(c).tryAcquire(1, TimeUnit.MILLISECONDS)) {
            continue;
          }
          sent++;
          ByteString key = ByteString.copyFromUtf8("flood-" + (sent % KEYS));
          ByteString value = value("f" + burst + "-" + c + "-" + sent);
          ledger.attempt(key, value);
          Semaphore permits = inFlight.get(c);
          clients.get(c).putAsync(key, value).whenComplete((answer, failure) -> {
            if (failure == null) {
              ledger.acknowledge(value);
              acknowledged.incrementAndGet();
            } else {
              failed.incrementAndGet();
            }
            permits.release();
          });
        }
      }
      for (Semaphore permits : inFlight) {
        permits.tryAcquire(IN_FLIGHT_PER_CLIENT, DEADLINE.toMillis() * 2, TimeUnit.MILLISECONDS);
      }
    } finally {
      clients.forEach(RaftKvClient::close);
    }
    return new Result(sent, acknowledged.get(), failed.get());
  }

  private static ByteString value(String unique) {
    StringBuilder b = new StringBuilder(VALUE_BYTES).append(unique).append('-');
    while (b.length() < VALUE_BYTES) {
      b.append('x');
    }
    return ByteString.copyFromUtf8(b.toString());
  }
}
