package io.raftkv.raft.sim;

import com.google.protobuf.ByteString;
import io.raftkv.raft.CompactedException;
import io.raftkv.raft.MemoryStorage;
import io.raftkv.raft.ReadState;
import io.raftkv.raft.StateType;
import io.raftkv.raft.SoftState;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Records what the simulation observes and checks Raft's safety properties (figure 3 of the paper),
 * online where possible and over the final state at the end of a run. Every check throws a
 * {@link SimViolation} naming the property. Maps used here are only ever looked up, or are TreeMaps, so
 * nothing depends on hash iteration order.
 */
final class InvariantChecker {

  /** A leader whose log must be checked for completeness once its log as of its election is persisted. */
  private record PendingLeaderCheck(long term, long afterReady) {}

  /** A readIndex request: the entries applied anywhere when it was made must be visible to it. */
  private record ReadRequest(long node, long minIndex) {}

  private final TreeMap<Long, Long> leaderByTerm = new TreeMap<>();
  /** Entry applied at index i anywhere (position i - 1): the committed log as the state machines saw it. */
  private final List<Entry> committed = new ArrayList<>();
  /** Term of the first leader seen committing index i (position i - 1); bootstrap entries have term 0. */
  private final List<Long> commitTerm = new ArrayList<>();
  private final Map<ByteString, Long> payloadIndex = new HashMap<>();
  private final Map<Long, List<PendingLeaderCheck>> pendingLeaderChecks = new TreeMap<>();
  private final Map<ByteString, ReadRequest> reads = new HashMap<>();
  private final Set<ByteString> readsAnswered = new HashSet<>();

  long leaderCompletenessChecks;
  long readsServed;

  /** Bootstrap entries 1..n are committed before any leader exists. */
  void bootstrapCommitted(int n) {
    while (commitTerm.size() < n) {
      commitTerm.add(0L);
    }
  }

  /**
   * Called with the role, term and commit index of a node as of each Ready taken from it (a role change
   * always comes with a Ready, and a leader's commit index only grows while it leads).
   */
  void observe(SimNode node, SoftState soft, HardState hs) {
    if (soft.raftState() == StateType.FOLLOWER) {
      return;
    }
    long term = hs.getTerm();
    if (soft.raftState() != StateType.LEADER) {
      if (!node.confState().getVotersList().contains(node.id)) {
        throw new SimViolation("only voters campaign", "node " + node.id + " is " + soft.raftState()
            + " in term " + term + " though its configuration " + SimNode.oneLine(node.confState())
            + " does not list it as a voter");
      }
      return;
    }
    Long prev = leaderByTerm.putIfAbsent(term, node.id);
    if (prev != null && prev != node.id) {
      throw new SimViolation("election safety", "nodes " + prev + " and " + node.id + " were both leader of term "
          + term);
    }
    if (prev == null && !node.confState().getVotersList().contains(node.id)) {
      throw new SimViolation("only voters campaign", "node " + node.id + " became leader of term " + term
          + " though its configuration " + SimNode.oneLine(node.confState()) + " does not list it as a voter");
    }
    if (prev == null) {
      pendingLeaderChecks.computeIfAbsent(node.id, k -> new ArrayList<>())
          .add(new PendingLeaderCheck(term, node.readyNumber()));
    }
    long commit = hs.getCommit();
    while (commitTerm.size() < commit) {
      commitTerm.add(term);
    }
  }

  int leadersSeen() {
    return leaderByTerm.size();
  }

  /** A node has persisted the Ready numbered {@code readyNumber}. */
  void persisted(SimNode node, long readyNumber) {
    List<PendingLeaderCheck> checks = pendingLeaderChecks.get(node.id);
    if (checks == null || checks.isEmpty()) {
      return;
    }
    checks.removeIf(c -> {
      if (readyNumber < c.afterReady()) {
        return false;
      }
      checkLeaderCompleteness(node, c.term());
      return true;
    });
  }

  /** A crash loses the RawNode, so its leaderships can no longer be checked against a later persist. */
  void crashed(SimNode node) {
    pendingLeaderChecks.remove(node.id);
  }

  /**
   * Every entry committed by a leader of a term below {@code term} is in the log of the leader of
   * {@code term}, at the same index with the same term (compacted indexes are covered by the state
   * machine checks instead).
   */
  private void checkLeaderCompleteness(SimNode node, long term) {
    leaderCompletenessChecks++;
    MemoryStorage s = node.storage;
    long snapIndex = s.firstIndex() - 1;
    long last = s.lastIndex();
    long upTo = Math.min(committed.size(), commitTerm.size());
    for (long i = Math.max(1, snapIndex); i <= upTo; i++) {
      if (commitTerm.get((int) i - 1) >= term) {
        continue;
      }
      Entry want = committed.get((int) i - 1);
      if (i > last) {
        throw new SimViolation("leader completeness", "node " + node.id + ", leader of term " + term
            + ", has log [" + s.firstIndex() + ".." + last + "] which lacks committed entry " + i + " (term "
            + want.getTerm() + ", committed in term " + commitTerm.get((int) i - 1) + ")");
      }
      long t;
      try {
        t = s.term(i);
      } catch (CompactedException e) {
        continue;
      }
      if (t != want.getTerm()) {
        throw new SimViolation("leader completeness", "node " + node.id + ", leader of term " + term + ", has term "
            + t + " at index " + i + " where entry of term " + want.getTerm() + " was committed (in term "
            + commitTerm.get((int) i - 1) + ")");
      }
      if (i > snapIndex) {
        Entry have = s.entries(i, i + 1, Long.MAX_VALUE).get(0);
        if (!have.equals(want)) {
          throw new SimViolation("leader completeness", "node " + node.id + ", leader of term " + term
              + ", holds " + describe(have) + " at index " + i + " where " + describe(want) + " was committed");
        }
      }
    }
  }

  /** A node applied {@code e}: it must agree with whatever was applied at that index anywhere. */
  void applied(SimNode node, Entry e) {
    record(node, e, "applied");
  }

  /** A node replaced its state machine by a snapshot's: every entry in it must agree too. */
  void snapshotRestored(SimNode node, List<Entry> stateMachine) {
    for (Entry e : stateMachine) {
      record(node, e, "restored from a snapshot");
    }
  }

  private void record(SimNode node, Entry e, String how) {
    long i = e.getIndex();
    if (i <= committed.size()) {
      Entry before = committed.get((int) i - 1);
      if (!before.equals(e)) {
        throw new SimViolation("state machine safety", "node " + node.id + " " + how + " " + describe(e)
            + " at index " + i + " where " + describe(before) + " was applied elsewhere");
      }
      return;
    }
    if (i != committed.size() + 1) {
      throw new SimViolation("state machine safety", "node " + node.id + " " + how + " index " + i
          + " though no node has applied index " + (committed.size() + 1));
    }
    committed.add(e);
    if (e.getEntryType() == EntryType.EntryNormal && !e.getData().isEmpty()) {
      Long prev = payloadIndex.putIfAbsent(e.getData(), i);
      if (prev != null) {
        throw new SimViolation("no duplicate application", "payload " + e.getData().toStringUtf8()
            + " was applied at index " + prev + " and again at index " + i + " (by node " + node.id + ")");
      }
    }
  }

  /** Highest index applied anywhere. */
  long maxApplied() {
    return committed.size();
  }

  /** Index at which {@code payload} was applied, or -1. */
  long indexOf(ByteString payload) {
    return payloadIndex.getOrDefault(payload, -1L);
  }

  Entry committedEntry(long index) {
    return committed.get((int) index - 1);
  }

  void readIssued(long node, ByteString ctx) {
    reads.put(ctx, new ReadRequest(node, committed.size()));
  }

  /**
   * A ReadState comes out of the node that asked, and its index covers every entry applied anywhere
   * before the request was made (else a read served at it could miss a completed write).
   */
  void readState(SimNode node, ReadState rs) {
    ReadRequest req = reads.get(rs.requestContext());
    if (req == null) {
      throw new SimViolation("read index", "node " + node.id + " produced a ReadState for unknown request "
          + rs.requestContext().toStringUtf8());
    }
    if (req.node() != node.id) {
      throw new SimViolation("read index", "node " + node.id + " produced the ReadState of request "
          + rs.requestContext().toStringUtf8() + " made on node " + req.node());
    }
    if (rs.index() < req.minIndex()) {
      throw new SimViolation("read index (linearizable reads)", "request " + rs.requestContext().toStringUtf8()
          + " on node " + node.id + " got read index " + rs.index() + " though index " + req.minIndex()
          + " had been applied before the request was made");
    }
    readsServed++;
    readsAnswered.add(rs.requestContext());
  }

  boolean readAnswered(ByteString ctx) {
    return readsAnswered.contains(ctx);
  }

  /**
   * Log matching: if two stored logs hold an entry with the same index and term, they are identical in
   * all entries up to that index (over the range both still hold).
   */
  void checkLogMatching(Collection<SimNode> nodes) {
    List<SimNode> list = new ArrayList<>(nodes);
    List<List<Entry>> logs = new ArrayList<>();
    for (SimNode n : list) {
      MemoryStorage s = n.storage;
      logs.add(s.lastIndex() >= s.firstIndex() ? s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE)
          : List.of());
    }
    for (int a = 0; a < list.size(); a++) {
      for (int b = a + 1; b < list.size(); b++) {
        checkPair(list.get(a), logs.get(a), list.get(b), logs.get(b));
      }
    }
  }

  private static void checkPair(SimNode na, List<Entry> la, SimNode nb, List<Entry> lb) {
    if (la.isEmpty() || lb.isEmpty()) {
      return;
    }
    long fa = la.get(0).getIndex();
    long fb = lb.get(0).getIndex();
    long lo = Math.max(fa, fb);
    long hi = Math.min(fa + la.size() - 1, fb + lb.size() - 1);
    long match = -1;
    for (long i = hi; i >= lo; i--) {
      if (la.get((int) (i - fa)).getTerm() == lb.get((int) (i - fb)).getTerm()) {
        match = i;
        break;
      }
    }
    for (long i = match; i >= lo; i--) {
      Entry ea = la.get((int) (i - fa));
      Entry eb = lb.get((int) (i - fb));
      if (!ea.equals(eb)) {
        throw new SimViolation("log matching", "nodes " + na.id + " and " + nb.id + " both hold an entry of term "
            + la.get((int) (match - fa)).getTerm() + " at index " + match + " but differ at index " + i + ": "
            + describe(ea) + " vs " + describe(eb));
      }
    }
  }

  /**
   * State machine safety over the final state: every node's applied sequence is a prefix of the longest
   * one, and no payload is applied twice on a node.
   */
  void checkStateMachines(Collection<SimNode> nodes) {
    SimNode longest = null;
    for (SimNode n : nodes) {
      if (longest == null || n.appliedIndex() > longest.appliedIndex()) {
        longest = n;
      }
    }
    if (longest == null) {
      return;
    }
    List<Entry> ref = longest.stateMachine();
    for (SimNode n : nodes) {
      List<Entry> sm = n.stateMachine();
      Map<ByteString, Long> seen = new HashMap<>();
      for (int i = 0; i < sm.size(); i++) {
        Entry e = sm.get(i);
        if (e.getIndex() != i + 1) {
          throw new SimViolation("state machine safety", "node " + n.id + " holds entry " + e.getIndex()
              + " at applied position " + (i + 1));
        }
        if (!e.equals(ref.get(i))) {
          throw new SimViolation("state machine safety", "node " + n.id + " applied " + describe(e) + " at index "
              + (i + 1) + " but node " + longest.id + " applied " + describe(ref.get(i)));
        }
        if (e.getEntryType() == EntryType.EntryNormal && !e.getData().isEmpty()) {
          Long prev = seen.put(e.getData(), (long) i + 1);
          if (prev != null) {
            throw new SimViolation("no duplicate application", "node " + n.id + " applied payload "
                + e.getData().toStringUtf8() + " at indexes " + prev + " and " + (i + 1));
          }
        }
      }
    }
  }

  static String describe(Entry e) {
    String data = e.getEntryType() == EntryType.EntryNormal ? "'" + e.getData().toStringUtf8() + "'"
        : e.getData().size() + " bytes";
    return "[" + e.getEntryType() + " index " + e.getIndex() + " term " + e.getTerm() + " " + data + "]";
  }
}
