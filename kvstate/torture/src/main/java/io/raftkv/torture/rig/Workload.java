package io.raftkv.torture.rig;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.ReadConsistency;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.torture.Command;
import io.raftkv.torture.History;
import io.raftkv.torture.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Concurrent clients hammering a small key set with puts, gets, compare-and-sets and deletes, each with
 * its own session, recording every invocation and completion in the history. Every written value is
 * unique, so the final checks can trace each one through the change feed.
 */
final class Workload implements AutoCloseable {
  /** How long a client waits for an answer, retries included, before the outcome is unknown. */
  static final Duration DEADLINE = Duration.ofSeconds(3);

  private final History history;
  private final List<String> endpoints;
  private final RigClients rigClients;
  private final int clients;
  private final List<ByteString> keys;
  private final long seed;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final List<ClientLoop> loops = new ArrayList<>();
  private final ValueLedger ledger;

  Workload(History history, ValueLedger ledger, List<String> endpoints, RigClients rigClients, int clients,
      int keyCount, long seed) {
    this.history = history;
    this.ledger = ledger;
    this.endpoints = List.copyOf(endpoints);
    this.rigClients = rigClients;
    this.clients = clients;
    this.seed = seed;
    List<ByteString> k = new ArrayList<>();
    for (int i = 0; i < keyCount; i++) {
      k.add(ByteString.copyFromUtf8("k" + i));
    }
    this.keys = List.copyOf(k);
  }

  List<ByteString> keys() {
    return keys;
  }

  /** The values every client of the run sent and had acknowledged. */
  ValueLedger ledger() {
    return ledger;
  }

  void start() {
    for (int c = 0; c < clients; c++) {
      ClientLoop loop = new ClientLoop(c, rigClients.connect(endpoints, DEADLINE));
      loops.add(loop);
      Thread t = new Thread(loop, "torture-client-" + c);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Stops the clients and waits for their last operations (each ends within the deadline). */
  void stop() throws InterruptedException {
    stopped.set(true);
    for (Thread t : threads) {
      t.join(DEADLINE.toMillis() * 3);
    }
  }

  @Override
  public void close() {
    loops.forEach(l -> l.client.close());
  }

  /** One client: a process of the history, doing one operation at a time. */
  private final class ClientLoop implements Runnable {
    private final int process;
    private final RaftKvClient client;
    private final Random random;
    private long written;

    ClientLoop(int process, RaftKvClient client) {
      this.process = process;
      this.client = client;
      this.random = new Random(seed * 31 + process);
    }

    @Override
    public void run() {
      while (!stopped.get()) {
        ByteString key = keys.get(random.nextInt(keys.size()));
        int dice = random.nextInt(100);
        if (dice < 40) {
          get(key);
        } else if (dice < 65) {
          ByteString value = nextValue();
          record(key, Command.put(value), value, () -> {
            client.put(key, value);
            return Outcome.written();
          });
        } else if (dice < 75) {
          record(key, Command.delete(), null, () -> {
            client.delete(key);
            return Outcome.written();
          });
        } else {
          compareAndSet(key);
        }
      }
    }

    private void get(ByteString key) {
      long op = history.invoke(process, key, Command.get());
      history.complete(op, call(() -> Outcome.read(client.get(key).map(kv -> kv.getValue()))));
    }

    /** A compare-and-set on the value or version last read, or on absence. */
    private void compareAndSet(ByteString key) {
      Optional<KeyValue> current;
      try {
        current = client.get(key, ReadConsistency.SERIALIZABLE);
      } catch (RaftKvException e) {
        return;
      }
      ByteString value = nextValue();
      if (current.isEmpty()) {
        record(key, Command.compareAndSet(Optional.empty(), Optional.of(value)), value,
            () -> Outcome.compared(client.compareAndSetVersion(key, 0, value).getApplied()));
      } else if (random.nextBoolean()) {
        ByteString expected = current.get().getValue();
        record(key, Command.compareAndSet(Optional.of(expected), Optional.of(value)), value,
            () -> Outcome.compared(client.compareAndSetValue(key, expected, value).getApplied()));
      } else {
        long version = current.get().getVersion();
        record(key, Command.compareVersionAndSet(version, Optional.of(value)), value,
            () -> Outcome.compared(client.compareAndSetVersion(key, version, value).getApplied()));
      }
    }

    private ByteString nextValue() {
      return ByteString.copyFromUtf8("c" + process + "-" + (++written));
    }

    private void record(ByteString key, Command command, ByteString value, Supplier<Outcome> call) {
      if (value != null) {
        ledger.attempt(key, value);
      }
      long op = history.invoke(process, key, command);
      Outcome outcome = call(call);
      history.complete(op, outcome);
      boolean applied = outcome instanceof Outcome.Written || outcome instanceof Outcome.Compared c && c.matched();
      if (value != null && applied) {
        ledger.acknowledge(value);
      }
    }

    /**
     * Runs one call. Any failure is an unknown outcome: the client retries until its deadline, so a
     * failure never proves the write did not apply somewhere along the way.
     */
    private Outcome call(Supplier<Outcome> call) {
      try {
        return call.get();
      } catch (RaftKvException e) {
        return Outcome.unknown(e.code() + ": " + e.getMessage());
      } catch (RuntimeException e) {
        return Outcome.unknown(e.toString());
      }
    }
  }
}
