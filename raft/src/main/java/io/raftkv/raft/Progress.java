package io.raftkv.raft;

/**
 * The leader's view of one follower: how much of the log it holds ({@code match}), what to send it next
 * ({@code next}) and how ({@link ProgressState}).
 */
public final class Progress {
  private long match;
  private long next;
  private ProgressState state = ProgressState.PROBE;
  /** In SNAPSHOT state: the index of the snapshot being sent. */
  private long pendingSnapshot;
  /** Heard from since the last CheckQuorum round (always true for the leader itself). */
  private boolean recentActive;
  /** In PROBE state: an append was sent and the next waits for a response or heartbeat. */
  private boolean probeSent;
  private final Inflights inflights;
  private boolean learner;

  Progress(long match, long next, int maxInflight, boolean learner) {
    this.match = match;
    this.next = next;
    this.inflights = new Inflights(maxInflight);
    this.learner = learner;
  }

  private Progress(Progress other) {
    this.match = other.match;
    this.next = other.next;
    this.state = other.state;
    this.pendingSnapshot = other.pendingSnapshot;
    this.recentActive = other.recentActive;
    this.probeSent = other.probeSent;
    this.inflights = other.inflights.copy();
    this.learner = other.learner;
  }

  /** Highest index known to be replicated on the follower. */
  public long match() {
    return match;
  }

  /** Index of the next entry to send to the follower. */
  public long next() {
    return next;
  }

  public ProgressState state() {
    return state;
  }

  public boolean isLearner() {
    return learner;
  }

  public boolean recentActive() {
    return recentActive;
  }

  /** Index of the snapshot being sent, in SNAPSHOT state; otherwise 0. */
  public long pendingSnapshot() {
    return pendingSnapshot;
  }

  /** Appends sent and not yet acknowledged. */
  public int inflightCount() {
    return inflights.count();
  }

  Progress copy() {
    return new Progress(this);
  }

  void setLearner(boolean learner) {
    this.learner = learner;
  }

  void setRecentActive(boolean recentActive) {
    this.recentActive = recentActive;
  }

  void setMatch(long match) {
    this.match = match;
  }

  Inflights inflights() {
    return inflights;
  }

  private void resetState(ProgressState newState) {
    probeSent = false;
    pendingSnapshot = 0;
    state = newState;
    inflights.reset();
  }

  /** Back to probing: from SNAPSHOT, resume after the snapshot if it was applied. */
  void becomeProbe() {
    if (state == ProgressState.SNAPSHOT) {
      long snapshotIndex = pendingSnapshot;
      resetState(ProgressState.PROBE);
      next = Math.max(match + 1, snapshotIndex + 1);
    } else {
      resetState(ProgressState.PROBE);
      next = match + 1;
    }
  }

  void becomeReplicate() {
    resetState(ProgressState.REPLICATE);
    next = match + 1;
  }

  void becomeSnapshot(long snapshotIndex) {
    resetState(ProgressState.SNAPSHOT);
    pendingSnapshot = snapshotIndex;
  }

  /** The follower acknowledged entries up to {@code index}; true if that raised {@code match}. */
  boolean maybeUpdate(long index) {
    boolean updated = false;
    if (match < index) {
      match = index;
      updated = true;
      probeSent = false;
    }
    next = Math.max(next, index + 1);
    return updated;
  }

  /** An append up to {@code lastSent} went out in REPLICATE state: assume it will land. */
  void optimisticUpdate(long lastSent) {
    next = lastSent + 1;
  }

  void probeSent() {
    probeSent = true;
  }

  void resumeProbe() {
    probeSent = false;
  }

  /**
   * The follower rejected an append whose previous index was {@code rejected}; {@code matchHint} is where
   * its log may match. Returns false for a stale rejection.
   */
  boolean maybeDecrTo(long rejected, long matchHint) {
    if (state == ProgressState.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
    probeSent = false;
    return true;
  }

  /** Whether the leader must hold back appends to this follower for now. */
  boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.full();
      case SNAPSHOT -> true;
    };
  }

  @Override
  public String toString() {
    return state + " match=" + match + " next=" + next
        + (state == ProgressState.SNAPSHOT ? " pendingSnapshot=" + pendingSnapshot : "")
        + (learner ? " learner" : "") + " inflight=" + inflights.count();
  }
}
