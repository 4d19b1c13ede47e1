package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The record of a torture run: clients on many threads append invocations and completions, in the order
 * they happen. Thread-safe.
 */
public final class History {
  private final LongSupplier clock;
  private final List<HistoryEvent> events = new ArrayList<>();
  private final Map<Long, HistoryEvent.Invocation> invocations = new HashMap<>();
  private final Set<Long> completed = new HashSet<>();
  private long nextOpId = 1;

  /** A history stamped with {@link System#nanoTime()}. */
  public History() {
    this(System::nanoTime);
  }

  /** A history stamped with {@code clock}, which must never go backwards. */
  public History(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * Records that {@code process} is about to send {@code command} on {@code key}; call it before sending.
   * Returns the operation's id, for {@link #complete}.
   */
  public synchronized long invoke(int process, ByteString key, Command command) {
    // The time is read under the lock so that the order of the events is the order of their times.
    long id = nextOpId;
    append(new HistoryEvent.Invocation(id, process, clock.getAsLong(), key, command));
    return id;
  }

  /** Records how operation {@code opId} ended; call it once the answer (or the timeout) is in hand. */
  public synchronized void complete(long opId, Outcome outcome) {
    append(new HistoryEvent.Completion(opId, clock.getAsLong(), outcome));
  }

  /**
   * Appends an event with its own id and time, as read from a file or written by hand in a test.
   *
   * @throws IllegalArgumentException if the event contradicts the history: a reused id, a completion of
   *     an operation never invoked or already completed, an outcome the command cannot have, or a
   *     completion before its invocation
   */
  public synchronized void append(HistoryEvent event) {
    if (event instanceof HistoryEvent.Invocation invocation) {
      if (invocations.containsKey(invocation.opId())) {
        throw new IllegalArgumentException("operation " + invocation.opId() + " is invoked twice");
      }
      invocations.put(invocation.opId(), invocation);
      nextOpId = Math.max(nextOpId, invocation.opId() + 1);
    } else {
      HistoryEvent.Completion completion = (HistoryEvent.Completion) event;
      HistoryEvent.Invocation invocation = invocations.get(completion.opId());
      if (invocation == null) {
        throw new IllegalArgumentException("operation " + completion.opId() + " completes but was never invoked");
      }
      if (completed.contains(completion.opId())) {
        throw new IllegalArgumentException("operation " + completion.opId() + " completes twice");
      }
      // Builds the pair only to validate it now, when the recorder can still be blamed.
      pair(invocation, completion);
      completed.add(completion.opId());
    }
    events.add(event);
  }

  /** The events so far, in the order they were appended. */
  public synchronized List<HistoryEvent> events() {
    return List.copyOf(events);
  }

  /**
   * Every operation so far, in the order of invocation; one that has not completed gets an
   * {@link Outcome.Unknown} outcome and completion time {@link Operation#NEVER}.
   */
  public synchronized List<Operation> operations() {
    Map<Long, HistoryEvent.Completion> completions = new HashMap<>();
    for (HistoryEvent event : events) {
      if (event instanceof HistoryEvent.Completion completion) {
        completions.put(completion.opId(), completion);
      }
    }
    List<Operation> operations = new ArrayList<>(invocations.size());
    for (HistoryEvent event : events) {
      if (event instanceof HistoryEvent.Invocation invocation) {
        HistoryEvent.Completion completion = completions.get(invocation.opId());
        operations.add(completion == null
            ? new Operation(invocation.opId(), invocation.process(), invocation.key(), invocation.command(),
                invocation.timeNanos(), Operation.NEVER, Outcome.unknown("never completed"))
            : pair(invocation, completion));
      }
    }
    return operations;
  }

  private static Operation pair(HistoryEvent.Invocation invocation, HistoryEvent.Completion completion) {
    return new Operation(invocation.opId(), invocation.process(), invocation.key(), invocation.command(),
        invocation.timeNanos(), completion.timeNanos(), completion.outcome());
  }

  /** A history of the given operations, for tests and tools that build one after the fact. */
  public static History of(List<Operation> operations) {
    List<HistoryEvent> events = new ArrayList<>();
    for (Operation op : operations) {
      events.add(new HistoryEvent.Invocation(op.id(), op.process(), op.invokedNanos(), op.key(), op.command()));
      if (op.completedNanos() != Operation.NEVER) {
        events.add(new HistoryEvent.Completion(op.id(), op.completedNanos(), op.outcome()));
      }
    }
    // Stable: an invocation and a completion at the same instant keep invocation first.
    events.sort(Comparator.comparingLong(HistoryEvent::timeNanos));
    History history = new History();
    events.forEach(history::append);
    return history;
  }
}
