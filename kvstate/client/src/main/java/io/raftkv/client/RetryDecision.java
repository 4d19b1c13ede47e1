package io.raftkv.client;

/** What a call does after a failed try: give up with that failure, or try again after a wait. */
sealed interface RetryDecision {
  /** The failure is the answer: the caller gets it. */
  record GiveUp() implements RetryDecision {}

  /**
   * Try again after {@code delayMillis} (0: at once, but off the failing try's stack), toward whoever
   * {@code leader} says leads now. {@code refusedAsOverloaded}: the node refused the try at a load bound.
   */
  record Retry(long delayMillis, LeaderNews leader, boolean refusedAsOverloaded) implements RetryDecision {}

  RetryDecision GIVE_UP = new GiveUp();
}
