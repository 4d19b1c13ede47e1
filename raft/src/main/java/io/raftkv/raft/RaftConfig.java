package io.raftkv.raft;

import java.util.List;
import java.util.Objects;

/** Everything a {@link RawNode} is built from; {@link Builder#build()} rejects a config that cannot work. */
public final class RaftConfig {
  /** etcd's default: leave room for many entries per append without building huge messages. */
  public static final long DEFAULT_MAX_SIZE_PER_MSG = 1024 * 1024;
  public static final int DEFAULT_MAX_INFLIGHT_MSGS = 256;

  private final long id;
  private final List<Long> peers;
  private final List<Long> learners;
  private final int electionTick;
  private final int heartbeatTick;
  private final Storage storage;
  private final long applied;
  private final long maxSizePerMsg;
  private final int maxInflightMsgs;
  private final boolean preVote;
  private final boolean checkQuorum;
  private final long randomSeed;

  private RaftConfig(Builder b) {
    this.id = b.id;
    this.peers = List.copyOf(b.peers);
    this.learners = List.copyOf(b.learners);
    this.electionTick = b.electionTick;
    this.heartbeatTick = b.heartbeatTick;
    this.storage = b.storage;
    this.applied = b.applied;
    this.maxSizePerMsg = b.maxSizePerMsg;
    this.maxInflightMsgs = b.maxInflightMsgs;
    this.preVote = b.preVote;
    this.checkQuorum = b.checkQuorum;
    this.randomSeed = b.randomSeed == null ? b.id : b.randomSeed;
  }

  public static Builder builder() {
    return new Builder();
  }

  public long id() {
    return id;
  }

  public List<Long> peers() {
    return peers;
  }

  public List<Long> learners() {
    return learners;
  }

  public int electionTick() {
    return electionTick;
  }

  public int heartbeatTick() {
    return heartbeatTick;
  }

  public Storage storage() {
    return storage;
  }

  public long applied() {
    return applied;
  }

  public long maxSizePerMsg() {
    return maxSizePerMsg;
  }

  public int maxInflightMsgs() {
    return maxInflightMsgs;
  }

  public boolean preVote() {
    return preVote;
  }

  public boolean checkQuorum() {
    return checkQuorum;
  }

  public long randomSeed() {
    return randomSeed;
  }

  /** Chained setters; {@link #build()} validates. */
  public static final class Builder {
    private long id;
    private List<Long> peers = List.of();
    private List<Long> learners = List.of();
    private int electionTick = 10;
    private int heartbeatTick = 1;
    private Storage storage;
    private long applied;
    private long maxSizePerMsg = DEFAULT_MAX_SIZE_PER_MSG;
    private int maxInflightMsgs = DEFAULT_MAX_INFLIGHT_MSGS;
    private boolean preVote;
    private boolean checkQuorum;
    private Long randomSeed;

    private Builder() {}

    public Builder id(long id) {
      this.id = id;
      return this;
    }

    public Builder peers(List<Long> peers) {
      this.peers = Objects.requireNonNull(peers, "peers");
      return this;
    }

    public Builder learners(List<Long> learners) {
      this.learners = Objects.requireNonNull(learners, "learners");
      return this;
    }

    public Builder electionTick(int electionTick) {
      this.electionTick = electionTick;
      return this;
    }

    public Builder heartbeatTick(int heartbeatTick) {
      this.heartbeatTick = heartbeatTick;
      return this;
    }

    public Builder storage(Storage storage) {
      this.storage = storage;
      return this;
    }

    public Builder applied(long applied) {
      this.applied = applied;
      return this;
    }

    public Builder maxSizePerMsg(long maxSizePerMsg) {
      this.maxSizePerMsg = maxSizePerMsg;
      return this;
    }

    public Builder maxInflightMsgs(int maxInflightMsgs) {
      this.maxInflightMsgs = maxInflightMsgs;
      return this;
    }

    public Builder preVote(boolean preVote) {
      this.preVote = preVote;
      return this;
    }

    public Builder checkQuorum(boolean checkQuorum) {
      this.checkQuorum = checkQuorum;
      return this;
    }

    public Builder randomSeed(long randomSeed) {
      this.randomSeed = randomSeed;
      return this;
    }

    /** @throws IllegalArgumentException naming the bad field and what is allowed */
    public RaftConfig build() {
      if (id == 0) {
        throw new IllegalArgumentException("id is 0: a node id must be a non-zero number (0 means 'none')");
      }
      if (heartbeatTick < 1) {
        throw new IllegalArgumentException(
            "heartbeatTick is " + heartbeatTick + ": it must be at least 1");
      }
      if (electionTick <= heartbeatTick) {
        throw new IllegalArgumentException("electionTick is " + electionTick
            + ": it must be greater than heartbeatTick (" + heartbeatTick + ")");
      }
      if (storage == null) {
        throw new IllegalArgumentException("storage is not set: give the Storage the node reads its log from");
      }
      if (maxInflightMsgs < 1) {
        throw new IllegalArgumentException(
            "maxInflightMsgs is " + maxInflightMsgs + ": it must be at least 1");
      }
      if (maxSizePerMsg < 0) {
        throw new IllegalArgumentException(
            "maxSizePerMsg is " + maxSizePerMsg + ": it must be 0 (one entry per append) or more");
      }
      if (applied < 0) {
        throw new IllegalArgumentException("applied is " + applied + ": it must be 0 or more");
      }
      checkIds("peers", peers);
      checkIds("learners", learners);
      for (Long learner : learners) {
        if (peers.contains(learner)) {
          throw new IllegalArgumentException("learners contains " + learner
              + ", which is also in peers: a node is either a voter or a learner");
        }
      }
      if (!peers.isEmpty() || !learners.isEmpty()) {
        boolean storageEmpty = storage.lastIndex() == 0 && storage.firstIndex() == 1;
        if (!storageEmpty) {
          throw new IllegalArgumentException(
              (peers.isEmpty() ? "learners" : "peers") + " given while the storage is not empty (last index "
                  + storage.lastIndex() + "): peers and learners bootstrap a new group only;"
                  + " a restarted node takes its membership from the storage");
        }
      }
      return new RaftConfig(this);
    }

    private static void checkIds(String field, List<Long> ids) {
      for (int i = 0; i < ids.size(); i++) {
        Long peer = ids.get(i);
        if (peer == null || peer == 0) {
          throw new IllegalArgumentException(field + " contains " + peer + ": node ids must be non-zero");
        }
        if (ids.indexOf(peer) != i) {
          throw new IllegalArgumentException(field + " contains " + peer + " twice: list each node once");
        }
      }
    }
  }
}
