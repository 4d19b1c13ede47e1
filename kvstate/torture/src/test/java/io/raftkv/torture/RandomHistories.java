package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Random histories for tests. {@link #linearizable} simulates a linearizable store: each operation
 * takes effect at one random instant between its invocation and completion (a timed-out one possibly
 * later, or never), and its result is whatever the key held at that instant, so the history is
 * linearizable by construction. {@link #arbitrary} makes tiny histories with random results, mostly
 * not linearizable, for comparison with a brute-force oracle.
 */
final class RandomHistories {
  /** Shape of a simulated history; rates are probabilities per operation. */
  record Shape(int keys, int opsPerKey, int clientsPerKey, double unknownRate, double failRate, Mix mix) {
    Shape(int keys, int opsPerKey, int clientsPerKey, double unknownRate, double failRate) {
      this(keys, opsPerKey, clientsPerKey, unknownRate, failRate, Mix.ALL);
    }
  }

  /** Relative weights of the kinds of operation. */
  record Mix(int gets, int puts, int deletes, int compareAndSets, int versionCompareAndSets) {
    /** Every kind. */
    static final Mix ALL = new Mix(40, 25, 7, 20, 8);
    /** What a register workload usually is: reads, blind writes, compare-and-sets on values. */
    static final Mix READ_WRITE_CAS = new Mix(50, 30, 0, 20, 0);

    int total() {
      return gets + puts + deletes + compareAndSets + versionCompareAndSets;
    }
  }

  private RandomHistories() {}

  /** A linearizable history of {@code shape.keys()} keys, each with its own clients. */
  static List<Operation> linearizable(long seed, Shape shape) {
    Random random = new Random(seed);
    List<Operation> all = new ArrayList<>();
    long[] nextId = {1};
    for (int k = 0; k < shape.keys(); k++) {
      all.addAll(new KeySimulation(random, shape, k, nextId).run());
    }
    all.sort(Comparator.comparingLong(Operation::invokedNanos));
    return all;
  }

  /** One key's simulated clients and register. */
  private static final class KeySimulation {
    private final Random random;
    private final Shape shape;
    private final ByteString key;
    private final int firstProcess;
    private final long[] nextId;
    private final List<ByteString> written = new ArrayList<>();

    /** An operation being simulated: its timing, and when (if ever) it takes effect. */
    private static final class Pending {
      final long id;
      final int process;
      final Command command;
      final long invoked;
      final long completed;
      final Long effectAt;
      final Outcome fixedOutcome;
      Outcome outcome;

      Pending(long id, int process, Command command, long invoked, long completed, Long effectAt,
          Outcome fixedOutcome) {
        this.id = id;
        this.process = process;
        this.command = command;
        this.invoked = invoked;
        this.completed = completed;
        this.effectAt = effectAt;
        this.fixedOutcome = fixedOutcome;
      }
    }

    KeySimulation(Random random, Shape shape, int keyIndex, long[] nextId) {
      this.random = random;
      this.shape = shape;
      this.key = ByteString.copyFromUtf8("key-" + keyIndex);
      this.firstProcess = keyIndex * shape.clientsPerKey();
      this.nextId = nextId;
    }

    List<Operation> run() {
      long[] freeAt = new long[shape.clientsPerKey()];
      for (int c = 0; c < freeAt.length; c++) {
        freeAt[c] = random.nextInt(20);
      }
      List<Pending> pending = new ArrayList<>();
      long writes = 0;
      for (int i = 0; i < shape.opsPerKey(); i++) {
        int client = 0;
        for (int c = 1; c < freeAt.length; c++) {
          if (freeAt[c] < freeAt[client]) {
            client = c;
          }
        }
        long invoked = freeAt[client] + random.nextInt(10);
        long duration = 1 + (random.nextInt(20) == 0 ? random.nextInt(400) : random.nextInt(40));
        long completed = invoked + duration;
        long id = nextId[0]++;
        Command command = command(id, writes);
        if (!(command instanceof Command.Get)) {
          writes++;
        }
        double roll = random.nextDouble();
        Long effectAt;
        Outcome fixed = null;
        if (roll < shape.unknownRate()) {
          // A timeout: applied at some instant after invocation, possibly after the client gave up, or never.
          effectAt = random.nextBoolean() ? invoked + (long) (random.nextDouble() * 3 * duration) : null;
          fixed = Outcome.unknown("timeout");
        } else if (roll < shape.unknownRate() + shape.failRate()) {
          effectAt = null;
          fixed = Outcome.failed("NOT_LEADER");
        } else {
          effectAt = invoked + (long) (random.nextDouble() * duration);
        }
        pending.add(new Pending(id, firstProcess + client, command, invoked, completed, effectAt, fixed));
        freeAt[client] = completed;
      }
      applyInEffectOrder(pending);
      List<Operation> ops = new ArrayList<>(pending.size());
      for (Pending p : pending) {
        Outcome outcome = p.fixedOutcome != null ? p.fixedOutcome : p.outcome;
        ops.add(new Operation(p.id, p.process, key, p.command, p.invoked, p.completed, outcome));
      }
      return ops;
    }

    private Command command(long id, long writesSoFar) {
      ByteString fresh = ByteString.copyFromUtf8(key.toStringUtf8() + "-v" + id);
      Mix mix = shape.mix();
      int pick = random.nextInt(mix.total());
      if ((pick -= mix.gets()) < 0) {
        return Command.get();
      }
      if ((pick -= mix.puts()) < 0) {
        written.add(fresh);
        return Command.put(fresh);
      }
      if ((pick -= mix.deletes()) < 0) {
        return Command.delete();
      }
      boolean deletes = mix.deletes() > 0 && random.nextInt(10) == 0;
      Optional<ByteString> newValue = deletes ? Optional.empty() : Optional.of(fresh);
      Command command;
      if ((pick -= mix.compareAndSets()) < 0) {
        command = Command.compareAndSet(recentValueOrAbsent(), newValue);
      } else {
        command = Command.compareVersionAndSet(Math.max(0, writesSoFar - random.nextInt(4)), newValue);
      }
      newValue.ifPresent(written::add);
      return command;
    }

    private Optional<ByteString> recentValueOrAbsent() {
      if (written.isEmpty() || random.nextInt(8) == 0) {
        return Optional.empty();
      }
      return Optional.of(written.get(Math.max(0, written.size() - 1 - random.nextInt(3))));
    }

    /** Runs the operations that take effect in the order of their instants, recording their results. */
    private static void applyInEffectOrder(List<Pending> pending) {
      List<Pending> effective = new ArrayList<>();
      for (Pending p : pending) {
        if (p.effectAt != null) {
          effective.add(p);
        }
      }
      effective.sort(Comparator.<Pending>comparingLong(p -> p.effectAt).thenComparingLong(p -> p.id));
      Optional<ByteString> value = Optional.empty();
      long version = 0;
      long changes = 0;
      for (Pending p : effective) {
        if (p.command instanceof Command.Put put) {
          value = Optional.of(put.value());
          version = ++changes;
          p.outcome = Outcome.written();
        } else if (p.command instanceof Command.Delete) {
          value = Optional.empty();
          version = 0;
          changes++;
          p.outcome = Outcome.written();
        } else if (p.command instanceof Command.Get) {
          p.outcome = Outcome.read(value);
        } else {
          boolean matched;
          Optional<ByteString> newValue;
          if (p.command instanceof Command.CompareAndSet cas) {
            matched = cas.expected().equals(value);
            newValue = cas.newValue();
          } else {
            Command.CompareVersionAndSet cas = (Command.CompareVersionAndSet) p.command;
            matched = cas.expectedVersion() == version;
            newValue = cas.newValue();
          }
          if (matched) {
            value = newValue;
            changes++;
            version = value.isPresent() ? changes : 0;
          }
          p.outcome = Outcome.compared(matched);
        }
      }
    }
  }

  /**
   * A small history of one key from a simulated linearizable store with many timeouts and failures,
   * then with one result changed at random (what a read saw, whether a compare matched, or an outcome
   * made unknown or failed): near misses, linearizable or not, where the checker's shortcuts matter most.
   */
  static List<Operation> perturbed(long seed, int ops, int clients) {
    Random random = new Random(seed);
    Shape shape = new Shape(1, ops, clients, 0.25, 0.1, Mix.ALL);
    List<Operation> history = new ArrayList<>(linearizable(random.nextLong(), shape));
    int index = random.nextInt(history.size());
    Operation op = history.get(index);
    history.set(index, new Operation(op.id(), op.process(), op.key(), op.command(), op.invokedNanos(),
        op.completedNanos(), perturb(op, history, random)));
    return history;
  }

  private static Outcome perturb(Operation op, List<Operation> history, Random random) {
    if (op.command() instanceof Command.Get && random.nextInt(4) > 0) {
      List<Optional<ByteString>> values = new ArrayList<>();
      values.add(Optional.empty());
      for (Operation other : history) {
        if (other.command() instanceof Command.Put put) {
          values.add(Optional.of(put.value()));
        }
      }
      return Outcome.read(values.get(random.nextInt(values.size())));
    }
    if (op.outcome() instanceof Outcome.Compared compared && random.nextInt(4) > 0) {
      return Outcome.compared(!compared.matched());
    }
    return random.nextBoolean() ? Outcome.unknown("perturbed") : Outcome.failed("perturbed");
  }

  /**
   * A tiny history of one key with random results (often not linearizable): 2 or 3 clients, up to
   * {@code maxOps} operations on two values (values repeat on purpose), close timings (ties happen).
   */
  static List<Operation> arbitrary(long seed, int maxOps) {
    Random random = new Random(seed);
    int clients = 2 + random.nextInt(2);
    int count = 1 + random.nextInt(maxOps);
    long[] freeAt = new long[clients];
    ByteString key = ByteString.copyFromUtf8("k");
    List<Operation> ops = new ArrayList<>();
    for (int id = 1; id <= count; id++) {
      int client = random.nextInt(clients);
      long invoked = freeAt[client] + random.nextInt(3);
      long completed = invoked + random.nextInt(4);
      freeAt[client] = completed + 1;
      Command command = arbitraryCommand(random);
      Outcome outcome = arbitraryOutcome(random, command);
      ops.add(new Operation(id, client, key, command, invoked, completed, outcome));
    }
    return ops;
  }

  private static Command arbitraryCommand(Random random) {
    switch (random.nextInt(6)) {
      case 0:
        return Command.put(arbitraryValue(random).orElse(ByteString.copyFromUtf8("a")));
      case 1:
      case 2:
        return Command.get();
      case 3:
        return Command.delete();
      case 4:
        return Command.compareAndSet(arbitraryValue(random), arbitraryValue(random));
      default:
        return Command.compareVersionAndSet(random.nextBoolean() ? 0 : 5, arbitraryValue(random));
    }
  }

  private static Outcome arbitraryOutcome(Random random, Command command) {
    int roll = random.nextInt(10);
    if (roll == 0) {
      return Outcome.failed("refused");
    }
    if (roll <= 2) {
      return Outcome.unknown("timeout");
    }
    if (command instanceof Command.Get) {
      return Outcome.read(arbitraryValue(random));
    }
    if (command instanceof Command.CompareAndSet || command instanceof Command.CompareVersionAndSet) {
      return Outcome.compared(random.nextBoolean());
    }
    return Outcome.written();
  }

  private static Optional<ByteString> arbitraryValue(Random random) {
    int pick = random.nextInt(3);
    return pick == 0 ? Optional.empty() : Optional.of(ByteString.copyFromUtf8(pick == 1 ? "a" : "b"));
  }
}
