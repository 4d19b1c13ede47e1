package io.raftkv.raft;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Test harness: RawNodes over MemoryStorages, driven the way an application drives them. For each
 * Ready it applies the snapshot, appends the entries and sets the hard state (all before advance), applies
 * committed entries (calling applyConfChange for conf changes and persisting the ConfState), collects
 * read states, sends the messages through drop / hold filters, then calls advance.
 */
final class TestCluster {

  /** Per-node application state. */
  static final class Member {
    final long id;
    final MemoryStorage storage;
    RawNode node;
    /** Applied entries by index (snapshots contribute no entries, only {@link #snapshotIndex}). */
    final TreeMap<Long, Entry> applied = new TreeMap<>();
    long appliedIndex;
    long snapshotIndex;
    ConfState confState = ConfState.getDefaultInstance();
    final List<ReadState> readStates = new ArrayList<>();
    final List<Snapshot> snapshotsReceived = new ArrayList<>();
    final List<Ready> readies = new ArrayList<>();

    Member(long id, MemoryStorage storage) {
      this.id = id;
      this.storage = storage;
    }
  }

  private final Map<Long, Member> members = new TreeMap<>();
  private final Consumer<RaftConfig.Builder> configurer;
  private final List<Predicate<Message>> dropFilters = new ArrayList<>();
  private final List<Predicate<Message>> holdFilters = new ArrayList<>();
  /** Messages held back by a hold filter, in send order. */
  final List<Message> held = new ArrayList<>();
  /** Every message handed out by any node's Ready, in order (dropped or not). */
  final List<Message> sent = new ArrayList<>();
  /** Every message actually stepped into a node, in order. */
  final List<Message> delivered = new ArrayList<>();
  private final Deque<Message> inFlight = new ArrayDeque<>();
  /** Called just before a message is stepped into its target. */
  private Consumer<Message> onDeliver = m -> {};

  private TestCluster(Consumer<RaftConfig.Builder> configurer) {
    this.configurer = configurer;
  }

  /** A brand-new group of voters 1..n, each bootstrapped with the same peers; first Readies are handled. */
  static TestCluster ofVoters(int n) {
    return ofVoters(n, b -> {});
  }

  static TestCluster ofVoters(int n, Consumer<RaftConfig.Builder> configurer) {
    List<Long> ids = new ArrayList<>();
    for (long i = 1; i <= n; i++) {
      ids.add(i);
    }
    return of(ids, List.of(), configurer);
  }

  static TestCluster of(List<Long> voters, List<Long> learners, Consumer<RaftConfig.Builder> configurer) {
    TestCluster c = new TestCluster(configurer);
    for (long id : voters) {
      c.addBootstrapped(id, voters, learners);
    }
    for (long id : learners) {
      c.addBootstrapped(id, voters, learners);
    }
    c.stabilize();
    return c;
  }

  /** An empty cluster to which members are added by hand. */
  static TestCluster empty(Consumer<RaftConfig.Builder> configurer) {
    return new TestCluster(configurer);
  }

  /** How a node's RawNode sees its MemoryStorage (identity unless a test injects storage behaviour). */
  java.util.function.Function<MemoryStorage, Storage> storageView = s -> s;

  RaftConfig.Builder baseConfig(long id, MemoryStorage storage) {
    RaftConfig.Builder b = RaftConfig.builder()
        .id(id)
        .storage(storageView.apply(storage))
        .electionTick(10)
        .heartbeatTick(1)
        .randomSeed(id * 7919L);
    configurer.accept(b);
    return b;
  }

  /** Adds a founding member built with peers over an empty storage (does not handle its Ready). */
  Member addBootstrapped(long id, List<Long> voters, List<Long> learners) {
    MemoryStorage storage = new MemoryStorage();
    Member m = new Member(id, storage);
    m.node = new RawNode(baseConfig(id, storage).peers(voters).learners(learners).build());
    members.put(id, m);
    return m;
  }

  /** Adds a node joining an existing group: empty storage, no peers. */
  Member addJoining(long id) {
    MemoryStorage storage = new MemoryStorage();
    Member m = new Member(id, storage);
    m.node = new RawNode(baseConfig(id, storage).build());
    members.put(id, m);
    return m;
  }

  /** Rebuilds a member's RawNode from its storage (no peers), with {@code applied} = what it applied. */
  RawNode restart(long id) {
    Member m = member(id);
    m.node = new RawNode(baseConfig(id, m.storage).applied(m.appliedIndex).build());
    return m.node;
  }

  /** Forgets a member (the application shut it down); messages to it are dropped from now on. */
  void remove(long id) {
    members.remove(id);
  }

  Member member(long id) {
    Member m = members.get(id);
    if (m == null) {
      throw new IllegalArgumentException("no member " + id);
    }
    return m;
  }

  RawNode node(long id) {
    return member(id).node;
  }

  MemoryStorage storage(long id) {
    return member(id).storage;
  }

  List<Long> ids() {
    return new ArrayList<>(members.keySet());
  }

  Status status(long id) {
    return node(id).status();
  }

  StateType state(long id) {
    return status(id).softState().raftState();
  }

  long term(long id) {
    return status(id).hardState().getTerm();
  }

  long commit(long id) {
    return status(id).hardState().getCommit();
  }

  Progress progress(long leader, long follower) {
    Progress p = status(leader).progress().get(follower);
    assertThat(p).as("progress of %d on %d", follower, leader).isNotNull();
    return p;
  }

  // ---------------------------------------------------------------- filters

  /** Drops every message matching {@code p} (until {@link #heal()}). */
  void dropIf(Predicate<Message> p) {
    dropFilters.add(p);
  }

  void drop(long from, long to) {
    dropIf(m -> m.getFrom() == from && m.getTo() == to);
  }

  /** Cuts {@code id} off from everyone, both ways. */
  void isolate(long id) {
    dropIf(m -> m.getFrom() == id || m.getTo() == id);
  }

  /** Splits the cluster: messages between the two sides are dropped. */
  void partition(List<Long> side) {
    dropIf(m -> side.contains(m.getFrom()) != side.contains(m.getTo()));
  }

  void heal() {
    dropFilters.clear();
  }

  /** Holds back messages matching {@code p} in {@link #held} instead of delivering them. */
  void holdIf(Predicate<Message> p) {
    holdFilters.add(p);
  }

  void clearHolds() {
    holdFilters.clear();
  }

  /** Delivers held messages (in order), no longer holding; returns them. */
  List<Message> releaseHeld() {
    holdFilters.clear();
    List<Message> out = new ArrayList<>(held);
    held.clear();
    inFlight.addAll(out);
    return out;
  }

  /** Discards held messages: they were lost. */
  void discardHeld() {
    held.clear();
  }

  void onDeliver(Consumer<Message> hook) {
    this.onDeliver = hook;
  }

  // ---------------------------------------------------------------- driving

  /**
   * Handles one Ready of {@code id} as an application does and queues its messages (through the filters);
   * returns the Ready, or null if the node had none.
   */
  Ready handleReady(long id) {
    Member m = member(id);
    if (!m.node.hasReady()) {
      return null;
    }
    Ready rd = m.node.ready();
    persistAndApply(m, rd);
    for (Message msg : rd.messages()) {
      send(msg);
    }
    m.node.advance(rd);
    return rd;
  }

  /** Handles Readies of {@code id} until it has none; returns them. */
  List<Ready> handleAllReady(long id) {
    List<Ready> out = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Ready rd = handleReady(id);
      if (rd == null) {
        return out;
      }
      out.add(rd);
    }
    throw new AssertionError("node " + id + " keeps producing Readies");
  }

  private void persistAndApply(Member m, Ready rd) {
    m.readies.add(rd);
    if (!rd.snapshot().equals(Snapshot.getDefaultInstance())) {
      Snapshot snap = rd.snapshot();
      m.storage.applySnapshot(snap);
      m.snapshotsReceived.add(snap);
      m.snapshotIndex = snap.getMetadata().getIndex();
      m.appliedIndex = snap.getMetadata().getIndex();
      m.confState = snap.getMetadata().getConfState();
      m.applied.tailMap(m.appliedIndex, true).clear();
    }
    if (!rd.entries().isEmpty()) {
      m.storage.append(rd.entries());
    }
    if (!rd.hardState().equals(HardState.getDefaultInstance())) {
      m.storage.setHardState(rd.hardState());
    }
    for (Entry e : rd.committedEntries()) {
      if (e.getIndex() != m.appliedIndex + 1) {
        throw new AssertionError("node " + m.id + " was handed committed entry " + e.getIndex()
            + " after applying " + m.appliedIndex);
      }
      m.appliedIndex = e.getIndex();
      m.applied.put(e.getIndex(), e);
      if (e.getEntryType() == EntryType.EntryConfChange) {
        ConfChange cc = parseConfChange(e.getData());
        ConfState cs = m.node.applyConfChange(cc);
        m.confState = cs;
        m.storage.setConfState(cs);
      }
    }
    m.readStates.addAll(rd.readStates());
  }

  static ConfChange parseConfChange(ByteString data) {
    try {
      return ConfChange.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("bad conf change entry", e);
    }
  }

  /** Puts a message on the wire, subject to drop and hold filters. */
  void send(Message msg) {
    sent.add(msg);
    for (Predicate<Message> p : dropFilters) {
      if (p.test(msg)) {
        Member sender = members.get(msg.getFrom());
        if (msg.getMsgType() == MessageType.MsgSnapshot && sender != null && reportSnapshots) {
          // the transport noticed the snapshot did not get through, as an application's would
          sender.node.reportSnapshot(msg.getTo(), SnapshotStatus.FAILURE);
        }
        return;
      }
    }
    for (Predicate<Message> p : holdFilters) {
      if (p.test(msg)) {
        held.add(msg);
        return;
      }
    }
    inFlight.add(msg);
  }

  /** Steps one message into its target, bypassing filters (a dropped proposal is not an error). */
  void deliver(Message msg) {
    Member target = members.get(msg.getTo());
    if (target == null) {
      return;
    }
    onDeliver.accept(msg);
    delivered.add(msg);
    try {
      target.node.step(msg);
    } catch (ProposalDroppedException e) {
      // a forwarded proposal the receiver cannot take: the application retries
    }
    Member sender = members.get(msg.getFrom());
    if (msg.getMsgType() == MessageType.MsgSnapshot && sender != null && reportSnapshots) {
      // the application tells the leader its snapshot went out
      sender.node.reportSnapshot(msg.getTo(), SnapshotStatus.FINISH);
    }
  }

  /** Whether delivering a MsgSnapshot reports FINISH to its sender, as an application does (default on). */
  boolean reportSnapshots = true;

  /** Delivers every queued message (not those queued while doing so). */
  boolean deliverQueued() {
    if (inFlight.isEmpty()) {
      return false;
    }
    List<Message> batch = new ArrayList<>(inFlight);
    inFlight.clear();
    for (Message msg : batch) {
      deliver(msg);
    }
    return true;
  }

  /** Runs Readies and message delivery until nothing moves. */
  void stabilize() {
    for (int round = 0; round < 10_000; round++) {
      boolean progress = false;
      for (long id : ids()) {
        if (members.containsKey(id) && handleReady(id) != null) {
          progress = true;
        }
      }
      if (deliverQueued()) {
        progress = true;
      }
      if (!progress) {
        return;
      }
    }
    throw new AssertionError("cluster did not stabilize");
  }

  void tick(long id) {
    node(id).tick();
  }

  void tickAll() {
    for (long id : ids()) {
      tick(id);
    }
  }

  /** {@code n} rounds of: every node ticks, then the cluster stabilizes. */
  void tickAllAndStabilize(int n) {
    for (int i = 0; i < n; i++) {
      tickAll();
      stabilize();
    }
  }

  /** {@code id} campaigns and the cluster stabilizes; asserts it won. */
  void elect(long id) {
    node(id).campaign();
    stabilize();
    assertThat(state(id)).as("node %d after campaigning", id).isEqualTo(StateType.LEADER);
  }

  /** The leader with the highest term, or 0. */
  long leader() {
    long best = 0;
    long bestTerm = -1;
    for (long id : ids()) {
      Status s = status(id);
      if (s.softState().raftState() == StateType.LEADER && s.hardState().getTerm() > bestTerm) {
        best = id;
        bestTerm = s.hardState().getTerm();
      }
    }
    return best;
  }

  /** Ticks everyone until there is a leader every other member follows (bounded). */
  long awaitStableLeader() {
    for (int i = 0; i < 300; i++) {
      long l = leader();
      if (l != 0) {
        boolean allFollow = true;
        for (long id : ids()) {
          if (status(id).softState().lead() != l) {
            allFollow = false;
          }
        }
        if (allFollow) {
          return l;
        }
      }
      tickAll();
      stabilize();
    }
    throw new AssertionError("no stable leader emerged");
  }

  void propose(long id, String data) {
    node(id).propose(bytes(data));
  }

  /** Data of the normal, non-empty entries {@code id} applied, in order. */
  List<String> appliedData(long id) {
    return member(id).applied.values().stream()
        .filter(e -> e.getEntryType() == EntryType.EntryNormal && !e.getData().isEmpty())
        .map(e -> e.getData().toStringUtf8())
        .collect(Collectors.toList());
  }

  /** All entries in a member's storage after its compaction point. */
  List<Entry> storedEntries(long id) {
    MemoryStorage s = storage(id);
    if (s.lastIndex() < s.firstIndex()) {
      return List.of();
    }
    return s.entries(s.firstIndex(), s.lastIndex() + 1, Long.MAX_VALUE);
  }

  /** State machine safety: no two members applied different entries at the same index. */
  void assertStateMachineSafety() {
    List<Long> ids = ids();
    for (int i = 0; i < ids.size(); i++) {
      for (int j = i + 1; j < ids.size(); j++) {
        Member a = member(ids.get(i));
        Member b = member(ids.get(j));
        for (Map.Entry<Long, Entry> e : a.applied.entrySet()) {
          Entry other = b.applied.get(e.getKey());
          if (other != null) {
            assertThat(other).as("entry %d applied on %d and %d", e.getKey(), a.id, b.id)
                .isEqualTo(e.getValue());
          }
        }
      }
    }
  }

  /** After stabilizing with a healthy network: every member stores the same log tail as {@code leader}. */
  void assertLogsMatchLeader(long leader) {
    MemoryStorage ls = storage(leader);
    for (long id : ids()) {
      MemoryStorage s = storage(id);
      assertThat(s.lastIndex()).as("last index of %d vs leader %d", id, leader).isEqualTo(ls.lastIndex());
      long from = Math.max(s.firstIndex(), ls.firstIndex());
      if (from <= ls.lastIndex()) {
        assertThat(s.entries(from, s.lastIndex() + 1, Long.MAX_VALUE))
            .as("log of %d vs leader %d", id, leader)
            .isEqualTo(ls.entries(from, ls.lastIndex() + 1, Long.MAX_VALUE));
      }
    }
  }

  /**
   * Normal operation still works: a leader emerges (after healing the network), a new proposal is applied
   * on every member, logs match and applied entries agree.
   */
  void assertStillWorks(String marker) {
    heal();
    clearHolds();
    discardHeld();
    stabilize();
    long l = awaitStableLeader();
    for (int attempt = 0; ; attempt++) {
      try {
        propose(l, marker);
        break;
      } catch (ProposalDroppedException e) {
        // e.g. a leader transfer in progress: the application retries a little later
        if (attempt >= 50) {
          throw e;
        }
        tickAll();
        stabilize();
        l = awaitStableLeader();
      }
    }
    stabilize();
    tickAllAndStabilize(3);
    for (long id : ids()) {
      assertThat(appliedData(id)).as("applied data of %d", id).contains(marker);
    }
    assertLogsMatchLeader(leader());
    assertStateMachineSafety();
  }

  // ---------------------------------------------------------------- message helpers

  List<Message> sentOfType(MessageType type) {
    return sent.stream().filter(m -> m.getMsgType() == type).collect(Collectors.toList());
  }

  static List<Message> ofType(List<Message> msgs, MessageType type) {
    return msgs.stream().filter(m -> m.getMsgType() == type).collect(Collectors.toList());
  }

  static List<Message> ofTypeTo(List<Message> msgs, MessageType type, long to) {
    return msgs.stream().filter(m -> m.getMsgType() == type && m.getTo() == to).collect(Collectors.toList());
  }

  static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  static Message.Builder msg(MessageType type, long from, long to, long term) {
    return Message.newBuilder().setMsgType(type).setFrom(from).setTo(to).setTerm(term);
  }

  static Entry entry(long index, long term) {
    return Entry.newBuilder().setIndex(index).setTerm(term).build();
  }

  static Entry entry(long index, long term, String data) {
    return Entry.newBuilder().setIndex(index).setTerm(term).setData(bytes(data)).build();
  }

  static Entry confEntry(long index, long term, ConfChange cc) {
    return Entry.newBuilder().setEntryType(EntryType.EntryConfChange).setIndex(index).setTerm(term)
        .setData(cc.toByteString()).build();
  }

  static ConfChange addNode(long id) {
    return ConfChange.newBuilder().setChangeType(io.raftkv.raft.pb.ConfChangeType.AddNode).setNodeId(id).build();
  }

  static ConfChange removeNode(long id) {
    return ConfChange.newBuilder().setChangeType(io.raftkv.raft.pb.ConfChangeType.RemoveNode).setNodeId(id)
        .build();
  }

  static ConfChange addLearner(long id) {
    return ConfChange.newBuilder().setChangeType(io.raftkv.raft.pb.ConfChangeType.AddLearnerNode)
        .setNodeId(id).build();
  }
}
