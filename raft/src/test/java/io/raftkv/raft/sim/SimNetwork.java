package io.raftkv.raft.sim;

import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The simulated network: every message sent is queued with a delivery step drawn from a seeded
 * {@link Random}, so messages can be delayed, overtaken by later ones (reordered), duplicated or lost.
 * Links are directed and can be cut to build partitions; a cut link loses the messages that reach its
 * end while it is cut. Nothing here depends on wall-clock time or hash order.
 */
final class SimNetwork {

  /** A message in flight. {@code lost} ones still reach their delivery step, where they are dropped. */
  record Envelope(long seq, long deliverAt, Message message, boolean lost) {}

  /** The largest node id the link matrix holds. */
  static final int MAX_ID = 31;

  private final Random rnd;
  private final PriorityQueue<Envelope> queue =
      new PriorityQueue<>(Comparator.comparingLong(Envelope::deliverAt).thenComparingLong(Envelope::seq));
  private final boolean[][] cut = new boolean[MAX_ID + 1][MAX_ID + 1];
  private long seq;
  private double dropRate;
  private double duplicateRate;
  private double reorderRate;
  private String partition = "none";

  long sent;
  long dropped;
  long duplicated;

  SimNetwork(Random rnd) {
    this.rnd = rnd;
  }

  void setFaults(double dropRate, double duplicateRate, double reorderRate) {
    this.dropRate = dropRate;
    this.duplicateRate = duplicateRate;
    this.reorderRate = reorderRate;
  }

  /**
   * Queues {@code m}, sent at step {@code now}. A forwarded proposal ({@code MsgPropose}) is never
   * duplicated: Raft does not deduplicate proposals, so a transport that delivered one twice would
   * legitimately commit it twice, and the no-duplicate-application check would report the network.
   */
  void send(Message m, long now) {
    sent++;
    boolean lost = rnd.nextDouble() < dropRate;
    if (lost) {
      dropped++;
    }
    enqueue(m, now, lost);
    if (!lost && m.getMsgType() != MessageType.MsgPropose && rnd.nextDouble() < duplicateRate) {
      duplicated++;
      enqueue(m, now, false);
    }
  }

  private void enqueue(Message m, long now, boolean lost) {
    long delay = rnd.nextDouble() < reorderRate ? 1 + rnd.nextInt(24) : 1 + rnd.nextInt(2);
    queue.add(new Envelope(seq++, now + delay, m, lost));
  }

  /** Removes and returns, in delivery order, every message due at or before step {@code now}. */
  List<Envelope> pollDue(long now) {
    List<Envelope> due = new ArrayList<>();
    while (!queue.isEmpty() && queue.peek().deliverAt() <= now) {
      due.add(queue.poll());
    }
    return due;
  }

  int inFlight() {
    return queue.size();
  }

  boolean linked(long from, long to) {
    return !cut[(int) from][(int) to];
  }

  /** Cuts every link between the two sides, both ways. */
  void split(Collection<Long> sideA, Collection<Long> sideB, String description) {
    for (long a : sideA) {
      for (long b : sideB) {
        cut[(int) a][(int) b] = true;
        cut[(int) b][(int) a] = true;
      }
    }
    partition = description;
  }

  /** Cuts the links from {@code from} to each of {@code to}, leaving the way back open. */
  void cutOneWay(long from, Collection<Long> to, String description) {
    for (long t : to) {
      cut[(int) from][(int) t] = true;
    }
    partition = description;
  }

  void heal() {
    for (boolean[] row : cut) {
      java.util.Arrays.fill(row, false);
    }
    partition = "none";
  }

  String partition() {
    return partition;
  }
}
