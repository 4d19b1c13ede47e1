package io.raftkv.torture;

import com.google.protobuf.ByteString;
import java.util.Objects;

/** One line of a history: a client starting an operation, or learning how it ended. */
public sealed interface HistoryEvent {

  /** The operation's id, unique within its history; a completion names the invocation it ends. */
  long opId();

  /** Monotonic time (System.nanoTime based) at which the client recorded the event. */
  long timeNanos();

  /** A client is about to send {@code command} on {@code key}. */
  record Invocation(long opId, int process, long timeNanos, ByteString key, Command command)
      implements HistoryEvent {
    public Invocation {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(command, "command");
    }
  }

  /** The client has the answer (or gave up waiting) for operation {@code opId}. */
  record Completion(long opId, long timeNanos, Outcome outcome) implements HistoryEvent {
    public Completion {
      Objects.requireNonNull(outcome, "outcome");
    }
  }
}
