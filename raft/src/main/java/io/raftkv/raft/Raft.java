package io.raftkv.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.raft.pb.ConfChange;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.EntryType;
import io.raftkv.raft.pb.HardState;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The Raft protocol itself: roles, terms, votes, replication and commitment, driven by {@link #tick()}
 * and {@link #step(Message)}. It queues outgoing messages and changes its log in memory; {@link RawNode}
 * turns that into {@link Ready}s for the application.
 */
final class Raft {
  /** Context of a vote that a leader transfer forces, bypassing leader leases and PreVote. */
  static final ByteString CAMPAIGN_TRANSFER = ByteString.copyFrom("CampaignTransfer", StandardCharsets.UTF_8);

  private enum Campaign { PRE_ELECTION, ELECTION, TRANSFER }

  final long id;
  long term;
  long vote;
  long lead;
  StateType state = StateType.FOLLOWER;
  final RaftLog log;
  final ProgressTracker tracker;

  private final long maxMsgSize;
  private final boolean preVote;
  private final boolean checkQuorum;
  private final int heartbeatTimeout;
  private final int electionTimeout;
  private final Random random;
  private int randomizedElectionTimeout;
  private int electionElapsed;
  private int heartbeatElapsed;
  private boolean learner;
  /** The node the leader is handing leadership to, or 0. */
  long leadTransferee;
  /** Index of the newest conf change the leader has proposed; another waits until it is applied. */
  private long pendingConfIndex;
  private ReadOnly readOnly = new ReadOnly();
  /** Read requests that arrived before this leader committed an entry of its term. */
  private List<Message> pendingReadIndexMessages = new ArrayList<>();

  List<Message> msgs = new ArrayList<>();
  List<ReadState> readStates = new ArrayList<>();

  Raft(RaftConfig config) {
    this.id = config.id();
    Storage storage = config.storage();
    this.maxMsgSize = config.maxSizePerMsg();
    this.log = new RaftLog(storage, Math.max(config.maxSizePerMsg(), 16L << 20));
    this.tracker = new ProgressTracker(config.maxInflightMsgs());
    this.preVote = config.preVote();
    this.checkQuorum = config.checkQuorum();
    this.heartbeatTimeout = config.heartbeatTick();
    this.electionTimeout = config.electionTick();
    this.random = new Random(config.randomSeed());

    Storage.InitialState initial = storage.initialState();
    HardState hs = initial.hardState();
    ConfState cs = initial.confState();
    tracker.restore(cs, log.lastIndex());
    learner = tracker.learners().contains(id);
    if (!hs.equals(HardState.getDefaultInstance())) {
      loadState(hs);
    }
    long applied = config.applied();
    if (applied > 0) {
      if (applied > log.committed()) {
        throw new IllegalArgumentException("applied is " + applied + ": it must not exceed the commit index "
            + log.committed() + " persisted in the storage's hard state");
      }
      log.appliedTo(applied);
    }
    becomeFollower(term, 0);
  }

  private void loadState(HardState hs) {
    if (hs.getCommit() < log.committed() || hs.getCommit() > log.lastIndex()) {
      throw new IllegalStateException("storage's hard state commit " + hs.getCommit()
          + " is out of the log's range [" + log.committed() + ", " + log.lastIndex() + "]");
    }
    log.commitTo(hs.getCommit());
    term = hs.getTerm();
    vote = hs.getVote();
  }

  // ---------------------------------------------------------------- state snapshots

  HardState hardState() {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(log.committed()).build();
  }

  SoftState softState() {
    return new SoftState(lead, state);
  }

  boolean isLearner() {
    return learner;
  }

  // ---------------------------------------------------------------- role changes

  private void reset(long newTerm) {
    if (term != newTerm) {
      term = newTerm;
      vote = 0;
    }
    lead = 0;
    electionElapsed = 0;
    heartbeatElapsed = 0;
    resetRandomizedElectionTimeout();
    leadTransferee = 0;
    tracker.resetVotes();
    tracker.resetProgress(id, log.lastIndex());
    pendingConfIndex = 0;
    readOnly = new ReadOnly();
    pendingReadIndexMessages = new ArrayList<>();
  }

  void becomeFollower(long newTerm, long newLead) {
    reset(newTerm);
    lead = newLead;
    state = StateType.FOLLOWER;
  }

  private void becomeCandidate() {
    if (state == StateType.LEADER) {
      throw new IllegalStateException("invalid transition [leader -> candidate]");
    }
    reset(term + 1);
    vote = id;
    state = StateType.CANDIDATE;
  }

  private void becomePreCandidate() {
    if (state == StateType.LEADER) {
      throw new IllegalStateException("invalid transition [leader -> pre-candidate]");
    }
    // Neither the term nor the vote changes: a pre-election must not disturb anyone.
    tracker.resetVotes();
    lead = 0;
    state = StateType.PRE_CANDIDATE;
  }

  private void becomeLeader() {
    if (state == StateType.FOLLOWER) {
      throw new IllegalStateException("invalid transition [follower -> leader]");
    }
    reset(term);
    lead = id;
    state = StateType.LEADER;
    Progress self = tracker.get(id);
    if (self != null) {
      self.becomeReplicate();
      self.setRecentActive(true);
    }
    // Conservatively block conf changes until everything in the log so far is applied: an unapplied
    // conf change may be among it.
    pendingConfIndex = log.lastIndex();
    appendEntries(List.of(Entry.getDefaultInstance()));
  }

  private void resetRandomizedElectionTimeout() {
    randomizedElectionTimeout = electionTimeout + random.nextInt(electionTimeout);
  }

  boolean promotable() {
    Progress pr = tracker.get(id);
    return pr != null && !pr.isLearner() && !log.hasPendingSnapshot();
  }

  // ---------------------------------------------------------------- ticks

  void tick() {
    if (state == StateType.LEADER) {
      tickHeartbeat();
    } else {
      tickElection();
    }
  }

  private void tickElection() {
    electionElapsed++;
    if (promotable() && electionElapsed >= randomizedElectionTimeout) {
      electionElapsed = 0;
      step(local(MessageType.MsgHup));
    }
  }

  private void tickHeartbeat() {
    heartbeatElapsed++;
    electionElapsed++;
    if (electionElapsed >= electionTimeout) {
      electionElapsed = 0;
      if (checkQuorum) {
        step(local(MessageType.MsgCheckQuorum));
      }
      if (state == StateType.LEADER && leadTransferee != 0) {
        leadTransferee = 0; // the transfer did not complete within an election timeout
      }
    }
    if (state != StateType.LEADER) {
      return;
    }
    if (heartbeatElapsed >= heartbeatTimeout) {
      heartbeatElapsed = 0;
      step(local(MessageType.MsgBeat));
    }
  }

  private Message local(MessageType type) {
    return Message.newBuilder().setMsgType(type).setFrom(id).build();
  }

  // ---------------------------------------------------------------- sending

  private void send(Message.Builder m) {
    if (m.getFrom() == 0) {
      // A relayed message (a proposal, read or transfer request forwarded to the leader) keeps its origin.
      m.setFrom(id);
    }
    MessageType type = m.getMsgType();
    boolean vote = type == MessageType.MsgRequestVote || type == MessageType.MsgRequestVoteResponse
        || type == MessageType.MsgRequestPreVote || type == MessageType.MsgRequestPreVoteResponse;
    if (!vote && type != MessageType.MsgPropose && type != MessageType.MsgReadIndex) {
      m.setTerm(term);
    }
    msgs.add(m.build());
  }

  private void sendAppend(long to) {
    maybeSendAppend(to, true);
  }

  /**
   * Sends the follower the entries it lacks (or a snapshot if they are compacted away). With
   * {@code sendIfEmpty} false, nothing is sent when there is nothing new.
   */
  private boolean maybeSendAppend(long to, boolean sendIfEmpty) {
    Progress pr = tracker.get(to);
    if (pr == null || pr.isPaused()) {
      return false;
    }
    long prevIndex = pr.next() - 1;
    long prevTerm = log.termOrNegative(prevIndex);
    List<Entry> entries = null;
    boolean compacted = prevTerm < 0;
    if (!compacted) {
      try {
        entries = log.entries(pr.next(), maxMsgSize);
      } catch (CompactedException e) {
        compacted = true;
      }
    }
    if (compacted) {
      return sendSnapshot(to, pr);
    }
    if (entries.isEmpty() && !sendIfEmpty) {
      return false;
    }
    Message.Builder m = Message.newBuilder().setMsgType(MessageType.MsgAppend).setTo(to)
        .setIndex(prevIndex).setLogTerm(prevTerm).addAllEntries(entries).setCommit(log.committed());
    if (!entries.isEmpty()) {
      long last = entries.get(entries.size() - 1).getIndex();
      switch (pr.state()) {
        case REPLICATE -> {
          pr.optimisticUpdate(last);
          pr.inflights().add(last);
        }
        case PROBE -> pr.probeSent();
        default -> throw new IllegalStateException("sending append in unhandled state " + pr.state());
      }
    }
    send(m);
    return true;
  }

  private boolean sendSnapshot(long to, Progress pr) {
    if (!pr.recentActive()) {
      return false; // do not ship a snapshot to a follower that may be down
    }
    Snapshot snapshot;
    try {
      snapshot = log.snapshot();
    } catch (SnapshotTemporarilyUnavailableException e) {
      return false;
    }
    long index = snapshot.getMetadata().getIndex();
    if (index == 0) {
      // The storage compacted its log without keeping a snapshot: nothing to send until it has one.
      return false;
    }
    pr.becomeSnapshot(index);
    send(Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setTo(to).setSnapshot(snapshot));
    return true;
  }

  private void sendHeartbeat(long to, ByteString ctx) {
    // Never tell a follower to commit past what it is known to hold: its log may still diverge there.
    long commit = Math.min(tracker.get(to).match(), log.committed());
    Message.Builder m = Message.newBuilder().setMsgType(MessageType.MsgHeartbeat).setTo(to).setCommit(commit);
    if (ctx != null) {
      m.setContext(ctx);
    }
    send(m);
  }

  private void bcastAppend() {
    for (Long to : tracker.progress().keySet()) {
      if (to != id) {
        sendAppend(to);
      }
    }
  }

  private void bcastHeartbeat(ByteString ctx) {
    for (Long to : tracker.progress().keySet()) {
      if (to != id) {
        sendHeartbeat(to, ctx);
      }
    }
  }

  // ---------------------------------------------------------------- log changes

  /** Appends entries of this leader's term; the leader counts itself once they are persisted. */
  private void appendEntries(List<Entry> entries) {
    long index = log.lastIndex();
    List<Entry> stamped = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      index++;
      stamped.add(e.toBuilder().setTerm(term).setIndex(index).build());
    }
    log.append(stamped);
  }

  /** Commits what a quorum has acknowledged; true if the commit index moved. */
  boolean maybeCommit() {
    return log.maybeCommit(tracker.committedIndex(), term);
  }

  /** The application persisted entries through {@code index}: a leader now counts itself for them. */
  void onPersisted(long index, long persistedTerm) {
    if (state != StateType.LEADER || log.termOrNegative(index) != persistedTerm) {
      return;
    }
    Progress self = tracker.get(id);
    if (self != null && self.maybeUpdate(index) && maybeCommit()) {
      releasePendingReadIndexMessages();
      bcastAppend();
    }
  }

  private boolean committedEntryInCurrentTerm() {
    return log.termOrNegative(log.committed()) == term;
  }

  // ---------------------------------------------------------------- stepping

  /** Steps one message; local message types are allowed here (RawNode filters what the network sends). */
  void step(Message m) {
    if (m.getTerm() == 0) {
      // local message, or a forwarded proposal / read / transfer request
    } else if (m.getTerm() > term) {
      MessageType type = m.getMsgType();
      if (type == MessageType.MsgRequestVote || type == MessageType.MsgRequestPreVote) {
        boolean force = m.getContext().equals(CAMPAIGN_TRANSFER);
        boolean inLease = checkQuorum && lead != 0 && electionElapsed < electionTimeout;
        if (!force && inLease) {
          // We heard from a live leader within the election timeout: do not let a disruptive node
          // (one that was partitioned away) raise the term.
          return;
        }
      }
      if (type == MessageType.MsgRequestPreVote) {
        // A pre-vote never changes our term.
      } else if (type == MessageType.MsgRequestPreVoteResponse && !m.getReject()) {
        // The term in a granted pre-vote is the one the candidate will campaign at; it becomes ours only
        // when the election proper starts.
      } else if (type == MessageType.MsgAppend || type == MessageType.MsgHeartbeat
          || type == MessageType.MsgSnapshot) {
        becomeFollower(m.getTerm(), m.getFrom());
      } else {
        becomeFollower(m.getTerm(), 0);
      }
    } else if (m.getTerm() < term) {
      MessageType type = m.getMsgType();
      if ((checkQuorum || preVote) && (type == MessageType.MsgHeartbeat || type == MessageType.MsgAppend)) {
        // A stale leader (e.g. one partitioned away) would never learn of the new term otherwise, since
        // with CheckQuorum or PreVote our own higher term does not disrupt anyone. Answer so it steps down.
        send(Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setTo(m.getFrom()));
      } else if (type == MessageType.MsgRequestPreVote) {
        send(Message.newBuilder().setMsgType(MessageType.MsgRequestPreVoteResponse).setTo(m.getFrom())
            .setTerm(term).setReject(true));
      }
      return;
    }

    switch (m.getMsgType()) {
      case MsgHup -> hup(preVote ? Campaign.PRE_ELECTION : Campaign.ELECTION);
      case MsgRequestVote, MsgRequestPreVote -> handleVoteRequest(m);
      default -> {
        switch (state) {
          case LEADER -> stepLeader(m);
          case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
          case FOLLOWER -> stepFollower(m);
          default -> throw new IllegalStateException("unknown state " + state);
        }
      }
    }
  }

  private void handleVoteRequest(Message m) {
    boolean preVoteRequest = m.getMsgType() == MessageType.MsgRequestPreVote;
    boolean canVote = vote == m.getFrom()
        || (vote == 0 && lead == 0)
        || (preVoteRequest && m.getTerm() > term);
    MessageType responseType = Messages.voteResponseType(m.getMsgType());
    if (canVote && log.isUpToDate(m.getIndex(), m.getLogTerm())) {
      // The response carries the request's term: a pre-vote grant is for the term the candidate will use.
      send(Message.newBuilder().setMsgType(responseType).setTo(m.getFrom()).setTerm(m.getTerm()));
      if (!preVoteRequest) {
        electionElapsed = 0;
        vote = m.getFrom();
      }
    } else {
      send(Message.newBuilder().setMsgType(responseType).setTo(m.getFrom()).setTerm(term).setReject(true));
    }
  }

  private void hup(Campaign type) {
    if (state == StateType.LEADER || !promotable() || hasUnappliedConfChanges()) {
      return;
    }
    campaign(type);
  }

  /** A conf change committed but not applied: campaigning now could use a stale membership. */
  private boolean hasUnappliedConfChanges() {
    if (log.applied() >= log.committed()) {
      return false;
    }
    long lo = Math.max(log.applied() + 1, log.firstIndex());
    long hi = log.committed() + 1;
    while (lo < hi) {
      List<Entry> batch;
      try {
        batch = log.slice(lo, hi, maxMsgSize == 0 ? 1 << 20 : maxMsgSize);
      } catch (CompactedException e) {
        return false;
      }
      for (Entry e : batch) {
        if (e.getEntryType() == EntryType.EntryConfChange) {
          return true;
        }
      }
      lo += batch.size();
    }
    return false;
  }

  private void campaign(Campaign type) {
    MessageType voteType;
    long voteTerm;
    if (type == Campaign.PRE_ELECTION) {
      becomePreCandidate();
      voteType = MessageType.MsgRequestPreVote;
      voteTerm = term + 1; // the term we would campaign at; ours stays as it is
    } else {
      becomeCandidate();
      voteType = MessageType.MsgRequestVote;
      voteTerm = term;
    }
    if (poll(id, true) == VoteResult.WON) {
      // A single voter wins at once.
      if (type == Campaign.PRE_ELECTION) {
        campaign(Campaign.ELECTION);
      } else {
        becomeLeader();
      }
      return;
    }
    ByteString ctx = type == Campaign.TRANSFER ? CAMPAIGN_TRANSFER : ByteString.EMPTY;
    long lastIndex = log.lastIndex();
    long lastTerm = log.lastTerm();
    for (Long voter : tracker.voters()) {
      if (voter == id) {
        continue;
      }
      send(Message.newBuilder().setMsgType(voteType).setTo(voter).setTerm(voteTerm)
          .setIndex(lastIndex).setLogTerm(lastTerm).setContext(ctx));
    }
  }

  private VoteResult poll(long from, boolean granted) {
    tracker.recordVote(from, granted);
    return tracker.tallyVotes();
  }

  private void stepLeader(Message m) {
    switch (m.getMsgType()) {
      case MsgBeat -> {
        bcastHeartbeat(readOnly.lastPendingRequestContext());
        return;
      }
      case MsgCheckQuorum -> {
        if (!tracker.quorumActive(id)) {
          becomeFollower(term, 0);
        }
        // Every follower has to prove itself active again within the next election timeout.
        for (Map.Entry<Long, Progress> e : tracker.progress().entrySet()) {
          if (e.getKey() != id) {
            e.getValue().setRecentActive(false);
          }
        }
        return;
      }
      case MsgPropose -> {
        proposeAsLeader(m);
        return;
      }
      case MsgReadIndex -> {
        if (tracker.isSingleton()) {
          respondToReadIndex(m, log.committed());
        } else if (!committedEntryInCurrentTerm()) {
          // The commit index of an earlier term may be behind the true one: wait until this leader has
          // committed an entry of its own term.
          pendingReadIndexMessages.add(m);
        } else {
          startReadIndex(m);
        }
        return;
      }
      default -> { }
    }

    Progress pr = tracker.get(m.getFrom());
    if (pr == null) {
      return;
    }
    switch (m.getMsgType()) {
      case MsgAppendResponse -> handleAppendResponse(m, pr);
      case MsgHeartbeatResponse -> handleHeartbeatResponse(m, pr);
      case MsgSnapStatus -> {
        if (pr.state() != ProgressState.SNAPSHOT) {
          return;
        }
        if (m.getReject()) {
          // The snapshot did not arrive: forget it, so probing resumes from match + 1.
          pr.becomeSnapshot(0);
        }
        pr.becomeProbe();
        // Wait for the next heartbeat response before probing: the follower may still be applying.
        pr.probeSent();
      }
      case MsgUnreachable -> {
        if (pr.state() == ProgressState.REPLICATE) {
          pr.becomeProbe();
        }
      }
      case MsgTransferLeader -> handleTransferLeader(m, pr);
      default -> { }
    }
  }

  private void proposeAsLeader(Message m) {
    if (tracker.get(id) == null) {
      throw new ProposalDroppedException("this node is no longer a member of the group");
    }
    if (leadTransferee != 0) {
      throw new ProposalDroppedException("leadership is being transferred to node " + leadTransferee);
    }
    long confChanges = 0;
    for (Entry e : m.getEntriesList()) {
      if (e.getEntryType() == EntryType.EntryConfChange) {
        ConfChange cc;
        try {
          cc = ConfChange.parseFrom(e.getData());
        } catch (InvalidProtocolBufferException ex) {
          throw new ProposalDroppedException("conf change entry does not hold a ConfChange: " + ex.getMessage());
        }
        if (leavesNoVoter(cc)) {
          throw new ProposalDroppedException("removing or demoting node " + cc.getNodeId()
              + " would leave the group without a voter");
        }
        confChanges++;
      }
    }
    if (confChanges > 0) {
      if (confChanges > 1) {
        throw new ProposalDroppedException("only one membership change at a time; got " + confChanges);
      }
      if (pendingConfIndex > log.applied()) {
        throw new ProposalDroppedException("a membership change (index " + pendingConfIndex
            + ") is not applied yet (applied " + log.applied() + "); one change at a time");
      }
    }
    appendEntries(m.getEntriesList());
    if (confChanges > 0) {
      pendingConfIndex = log.lastIndex();
    }
    bcastAppend();
  }

  private boolean leavesNoVoter(ConfChange cc) {
    boolean removesVoter = cc.getChangeType() == io.raftkv.raft.pb.ConfChangeType.RemoveNode
        || cc.getChangeType() == io.raftkv.raft.pb.ConfChangeType.AddLearnerNode;
    return removesVoter && tracker.voters().size() == 1 && tracker.isVoter(cc.getNodeId());
  }

  private void handleAppendResponse(Message m, Progress pr) {
    pr.setRecentActive(true);
    if (m.getReject()) {
      long nextProbe = m.getRejectHint();
      if (m.getLogTerm() > 0) {
        // The follower told us its term at the hint: skip every entry of ours with a larger term there.
        nextProbe = log.findConflictByTerm(m.getRejectHint(), m.getLogTerm());
      }
      if (pr.maybeDecrTo(m.getIndex(), nextProbe)) {
        if (pr.state() == ProgressState.REPLICATE) {
          pr.becomeProbe();
        }
        sendAppend(m.getFrom());
      }
      return;
    }
    if (m.getIndex() > log.lastIndex()) {
      return; // acknowledges entries we never had: not from this log
    }
    boolean wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(m.getIndex())) {
      return;
    }
    switch (pr.state()) {
      case PROBE -> pr.becomeReplicate();
      case SNAPSHOT -> {
        if (pr.match() >= pr.pendingSnapshot()) {
          pr.becomeProbe();
          pr.becomeReplicate();
        }
      }
      case REPLICATE -> pr.inflights().freeLE(m.getIndex());
      default -> { }
    }
    if (maybeCommit()) {
      releasePendingReadIndexMessages();
      bcastAppend();
    } else if (wasPaused) {
      sendAppend(m.getFrom());
    }
    // The window may have opened wide enough for several size-limited appends.
    while (maybeSendAppend(m.getFrom(), false)) {
      // keep sending
    }
    if (m.getFrom() == leadTransferee && pr.match() == log.lastIndex()) {
      sendTimeoutNow(m.getFrom());
    }
  }

  private void handleHeartbeatResponse(Message m, Progress pr) {
    pr.setRecentActive(true);
    pr.resumeProbe();
    if (pr.state() == ProgressState.REPLICATE && pr.inflights().full()) {
      pr.inflights().freeFirstOne(); // let one append through so a lost ack cannot stall replication
    }
    if (pr.match() < log.lastIndex()) {
      sendAppend(m.getFrom());
    }
    if (m.getContext().isEmpty()) {
      return;
    }
    Set<Long> acks = readOnly.recvAck(m.getFrom(), m.getContext());
    if (acks == null || acks.stream().filter(tracker::isVoter).count()
        < MajorityQuorum.majority(tracker.voters().size())) {
      return;
    }
    for (ReadOnly.PendingRead read : readOnly.advance(m.getContext())) {
      respondToReadIndex(read.request, read.index);
    }
  }

  private void handleTransferLeader(Message m, Progress pr) {
    if (pr.isLearner()) {
      return; // a learner cannot lead
    }
    long transferee = m.getFrom();
    if (leadTransferee != 0) {
      if (leadTransferee == transferee) {
        return; // already under way
      }
      leadTransferee = 0;
    }
    if (transferee == id) {
      return;
    }
    // The transfer must finish within an election timeout; the clock starts now.
    electionElapsed = 0;
    leadTransferee = transferee;
    if (pr.match() == log.lastIndex()) {
      sendTimeoutNow(transferee);
    } else {
      sendAppend(transferee);
    }
  }

  private void sendTimeoutNow(long to) {
    send(Message.newBuilder().setMsgType(MessageType.MsgTimeoutNow).setTo(to));
  }

  private void startReadIndex(Message m) {
    ByteString ctx = m.getEntries(0).getData();
    readOnly.addRequest(log.committed(), m);
    readOnly.recvAck(id, ctx);
    bcastHeartbeat(ctx);
  }

  private void releasePendingReadIndexMessages() {
    if (pendingReadIndexMessages.isEmpty() || !committedEntryInCurrentTerm()) {
      return;
    }
    List<Message> waiting = pendingReadIndexMessages;
    pendingReadIndexMessages = new ArrayList<>();
    for (Message m : waiting) {
      startReadIndex(m);
    }
  }

  private void respondToReadIndex(Message request, long index) {
    if (request.getFrom() == 0 || request.getFrom() == id) {
      readStates.add(new ReadState(index, request.getEntries(0).getData()));
      return;
    }
    send(Message.newBuilder().setMsgType(MessageType.MsgReadIndexResponse).setTo(request.getFrom())
        .setIndex(index).addAllEntries(request.getEntriesList()));
  }

  private void stepCandidate(Message m) {
    MessageType myVoteResponse = state == StateType.PRE_CANDIDATE
        ? MessageType.MsgRequestPreVoteResponse
        : MessageType.MsgRequestVoteResponse;
    MessageType type = m.getMsgType();
    if (type == MessageType.MsgPropose) {
      throw new ProposalDroppedException("no leader: an election is under way");
    } else if (type == MessageType.MsgAppend) {
      becomeFollower(m.getTerm(), m.getFrom());
      handleAppendEntries(m);
    } else if (type == MessageType.MsgHeartbeat) {
      becomeFollower(m.getTerm(), m.getFrom());
      handleHeartbeat(m);
    } else if (type == MessageType.MsgSnapshot) {
      becomeFollower(m.getTerm(), m.getFrom());
      handleSnapshot(m);
    } else if (type == myVoteResponse) {
      VoteResult result = poll(m.getFrom(), !m.getReject());
      if (result == VoteResult.WON) {
        if (state == StateType.PRE_CANDIDATE) {
          campaign(Campaign.ELECTION);
        } else {
          becomeLeader();
          bcastAppend();
        }
      } else if (result == VoteResult.LOST) {
        // A pre-candidate or candidate that lost goes back to following in its own (unchanged) term.
        becomeFollower(term, 0);
      }
    }
    // MsgTimeoutNow and others: a candidate is already campaigning; ignore.
  }

  private void stepFollower(Message m) {
    switch (m.getMsgType()) {
      case MsgPropose -> {
        if (lead == 0) {
          throw new ProposalDroppedException("no leader is known to forward the proposal to");
        }
        send(m.toBuilder().setTo(lead));
      }
      case MsgAppend -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleAppendEntries(m);
      }
      case MsgHeartbeat -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleHeartbeat(m);
      }
      case MsgSnapshot -> {
        electionElapsed = 0;
        lead = m.getFrom();
        handleSnapshot(m);
      }
      case MsgTransferLeader, MsgReadIndex -> {
        if (lead != 0) {
          send(m.toBuilder().setTo(lead));
        }
      }
      case MsgTimeoutNow -> hup(Campaign.TRANSFER);
      case MsgReadIndexResponse -> {
        if (m.getEntriesCount() == 1) {
          readStates.add(new ReadState(m.getIndex(), m.getEntries(0).getData()));
        }
      }
      default -> { }
    }
  }

  private void handleAppendEntries(Message m) {
    if (m.getIndex() < log.committed()) {
      // Everything up to our commit index is settled; tell the leader where we are.
      send(Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setTo(m.getFrom())
          .setIndex(log.committed()));
      return;
    }
    long lastNew = log.maybeAppend(m.getIndex(), m.getLogTerm(), m.getCommit(), m.getEntriesList());
    if (lastNew >= 0) {
      send(Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setTo(m.getFrom()).setIndex(lastNew));
      return;
    }
    // Reject, with a hint: the largest index at or below the probe whose term is at most the leader's
    // previous term, so the leader can skip whole terms of our log at once.
    long hintIndex = Math.min(m.getIndex(), log.lastIndex());
    hintIndex = log.findConflictByTerm(hintIndex, m.getLogTerm());
    long hintTerm = Math.max(log.termOrNegative(hintIndex), 0);
    send(Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setTo(m.getFrom())
        .setIndex(m.getIndex()).setReject(true).setRejectHint(hintIndex).setLogTerm(hintTerm));
  }

  private void handleHeartbeat(Message m) {
    if (m.getCommit() <= log.lastIndex()) {
      log.commitTo(m.getCommit());
    }
    Message.Builder response = Message.newBuilder().setMsgType(MessageType.MsgHeartbeatResponse)
        .setTo(m.getFrom());
    if (!m.getContext().isEmpty()) {
      response.setContext(m.getContext());
    }
    send(response);
  }

  private void handleSnapshot(Message m) {
    Snapshot s = m.getSnapshot();
    long index = s.getMetadata().getIndex();
    long snapshotTerm = s.getMetadata().getTerm();
    if (restore(s)) {
      send(Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setTo(m.getFrom())
          .setIndex(log.lastIndex()));
    } else {
      // Already have it (or it is older than our commit index): acknowledge what we hold committed.
      if (index > log.committed() && log.matchTerm(index, snapshotTerm)) {
        log.commitTo(index);
      }
      send(Message.newBuilder().setMsgType(MessageType.MsgAppendResponse).setTo(m.getFrom())
          .setIndex(log.committed()));
    }
  }

  /** Replaces the log with {@code s} unless it is old news; true if it was installed. */
  private boolean restore(Snapshot s) {
    long index = s.getMetadata().getIndex();
    if (index <= log.committed()) {
      return false;
    }
    if (state != StateType.FOLLOWER) {
      // Defensive: only a follower installs snapshots; become one in our term and drop this message.
      becomeFollower(term + 1, 0);
      return false;
    }
    // The snapshot's configuration may not list us yet: a node that joins is sent a snapshot taken
    // before its own AddNode, and learns its membership from the log that follows.
    ConfState cs = s.getMetadata().getConfState();
    if (log.matchTerm(index, s.getMetadata().getTerm())) {
      // We already hold the snapshot's last entry: just fast-forward the commit index.
      log.commitTo(index);
      return false;
    }
    log.restore(s);
    tracker.restore(cs, log.lastIndex());
    learner = tracker.learners().contains(id);
    return true;
  }

  // ---------------------------------------------------------------- membership

  ConfState applyConfChange(ConfChange cc) {
    tracker.apply(cc, log.lastIndex());
    ConfState cs = tracker.confState();
    Progress self = tracker.get(id);
    learner = self != null && self.isLearner();
    if ((self == null || learner) && state == StateType.LEADER) {
      // Removed or demoted: a leader that is not a voter steps down and lets the others elect one.
      becomeFollower(term, 0);
      return cs;
    }
    if (state != StateType.LEADER || cs.getVotersCount() == 0) {
      return cs;
    }
    if (maybeCommit()) {
      // A smaller quorum may commit more at once.
      bcastAppend();
    } else {
      for (Long to : tracker.progress().keySet()) {
        if (to != id) {
          maybeSendAppend(to, false); // probe newly added members right away
        }
      }
    }
    if (leadTransferee != 0 && !tracker.isVoter(leadTransferee)) {
      leadTransferee = 0;
    }
    return cs;
  }
}
