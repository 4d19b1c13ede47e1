package io.raftkv.torture.rig;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.torture.CheckReport;
import io.raftkv.torture.Command;
import io.raftkv.torture.History;
import io.raftkv.torture.KeyVerdict;
import io.raftkv.torture.LinearizabilityChecker;
import io.raftkv.torture.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The checks at the end of a run, on a healed cluster: final reads, change feeds, state digests and
 * linearizability of the whole history.
 */
final class FinalChecks {
  private static final ByteString MARKER = ByteString.copyFromUtf8("torture/end");
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** What the checks found, with the figures the summary prints. */
  record Result(Findings findings, CheckReport report, int feedEvents, long lastIndex) {}

  private FinalChecks() {}

  static Result run(ClusterProcesses cluster, Workload workload, History history, int finalReader)
      throws InterruptedException {
    Findings findings = new Findings();
    try (RaftKvClient client = cluster.clients().connect(cluster.endpoints(), Duration.ofSeconds(20))) {
      long last;
      try {
        last = endMarker(client);
        awaitAllApplied(cluster, last);
      } catch (ClusterLostException e) {
        // The healed cluster no longer serves: a violation in itself (a fault took it down for good). The
        // feeds and states cannot be compared without a common index; the history still can be checked.
        findings.violation(e.getMessage());
        return new Result(findings, checkHistory(history, findings), 0, -1);
      }
      List<NodeProcess> nodes = cluster.nodes();
      List<List<ChangeEvent>> feeds = new ArrayList<>();
      for (NodeProcess n : nodes) {
        List<ChangeEvent> feed = FeedReader.read(cluster.clients(), n.clientAddress(), last, WAIT);
        FeedChecks.checkOrder("node " + n.memberId(), feed, findings);
        feeds.add(feed);
      }
      for (int i = 1; i < nodes.size(); i++) {
        FeedChecks.checkSame("node " + nodes.get(0).memberId(), feeds.get(0), "node " + nodes.get(i).memberId(),
            feeds.get(i), findings);
      }
      List<ChangeEvent> feed = feeds.get(0);
      FeedChecks.checkValues(feed, workload.ledger().attemptedValues(), workload.ledger().acknowledgedValues(), MARKER, findings);
      Map<ByteString, ByteString> replayed = new java.util.HashMap<>(FeedChecks.replay(feed));
      replayed.remove(MARKER);
      finalReads(client, workload.keys(), replayed, history, finalReader, findings);
      String reference = null;
      for (NodeProcess n : nodes) {
        StateDigest digest = StateDigest.of(cluster.clients(), n.clientAddress());
        Map<ByteString, ByteString> state = new java.util.HashMap<>(digest.values());
        state.remove(MARKER);
        if (!state.equals(replayed)) {
          findings.violation("node " + n.memberId() + "'s data (" + state.size() + " keys) is not what its change"
              + " feed replays to (" + replayed.size() + " keys)");
        }
        if (reference == null) {
          reference = digest.sha256();
        } else if (!reference.equals(digest.sha256())) {
          findings.violation("node " + n.memberId() + "'s state digest " + digest.sha256() + " differs from node "
              + nodes.get(0).memberId() + "'s " + reference);
        }
      }
      return new Result(findings, checkHistory(history, findings), feed.size(), last);
    }
  }

  private static CheckReport checkHistory(History history, Findings findings) {
    CheckReport report = new LinearizabilityChecker().check(history);
    for (KeyVerdict v : report.violations()) {
      findings.violation("key " + v.key().toStringUtf8() + " is not linearizable (witness above)");
    }
    for (KeyVerdict v : report.undecided()) {
      findings.violation("key " + v.key().toStringUtf8() + ": the checker could not decide within its budget");
    }
    return report;
  }

  /** The healed cluster did not take a write, or a node did not catch up, within the wait. */
  private static final class ClusterLostException extends Exception {
    ClusterLostException(String message) {
      super(message);
    }
  }

  /** A last write after everything else: its index is the point every node must reach. */
  private static long endMarker(RaftKvClient client) throws ClusterLostException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      try {
        return client.put(MARKER, ByteString.copyFromUtf8("end")).getIndex();
      } catch (RaftKvException e) {
        if (System.nanoTime() > deadline) {
          throw new ClusterLostException("the healed cluster took no write within " + WAIT.toSeconds() + " s: "
              + e.getMessage());
        }
      }
    }
  }

  private static void awaitAllApplied(ClusterProcesses cluster, long index)
      throws InterruptedException, ClusterLostException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (NodeProcess n : cluster.nodes()) {
      while (true) {
        Optional<StatusResponse> s = cluster.status(n);
        if (s.isPresent() && s.get().getAppliedIndex() >= index) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new ClusterLostException("node " + n.memberId() + " did not apply index " + index + " within "
              + WAIT.toSeconds() + " s (at " + s.map(StatusResponse::getAppliedIndex).orElse(-1L) + ")");
        }
        Thread.sleep(TimeUnit.MILLISECONDS.toMillis(100));
      }
    }
  }

  /** A linearizable read of every key, recorded in the history and compared with the feed's replay. */
  private static void finalReads(RaftKvClient client, List<ByteString> keys, Map<ByteString, ByteString> replayed,
      History history, int process, Findings findings) {
    for (ByteString key : keys) {
      long op = history.invoke(process, key, Command.get());
      Optional<ByteString> value;
      try {
        value = client.get(key).map(kv -> kv.getValue());
      } catch (RaftKvException e) {
        history.complete(op, Outcome.unknown(e.code() + ": " + e.getMessage()));
        findings.violation("final read of " + key.toStringUtf8() + " failed on the healed cluster: " + e.getMessage());
        continue;
      }
      history.complete(op, Outcome.read(value));
      Optional<ByteString> expected = Optional.ofNullable(replayed.get(key));
      if (!value.equals(expected)) {
        findings.violation("final read of " + key.toStringUtf8() + " is " + value.map(ByteString::toStringUtf8)
            .orElse("absent") + " but the change feed ends with " + expected.map(ByteString::toStringUtf8)
            .orElse("absent"));
      }
    }
  }
}
