package io.raftkv.server.transport;

/** Runs a send after a delay; fault injection holds batches back through it. */
interface SendDelayer extends AutoCloseable {
  /** Runs {@code send} in {@code millis} ms, or never if closed meanwhile. */
  void later(long millis, Runnable send);

  @Override
  void close();
}
