package io.raftkv.raft;

import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;

/** Classification and sanity checks of messages, shared by the core and {@link RawNode}. */
final class Messages {
  private Messages() {}

  /** Messages a node sends itself; never valid from the network. */
  static boolean isLocal(MessageType type) {
    return switch (type) {
      case MsgHup, MsgBeat, MsgUnreachable, MsgSnapStatus, MsgCheckQuorum -> true;
      default -> false;
    };
  }

  static boolean isResponse(MessageType type) {
    return switch (type) {
      case MsgAppendResponse, MsgRequestVoteResponse, MsgHeartbeatResponse, MsgReadIndexResponse,
          MsgRequestPreVoteResponse, MsgUnreachable, MsgSnapStatus -> true;
      default -> false;
    };
  }

  static MessageType voteResponseType(MessageType voteType) {
    return voteType == MessageType.MsgRequestPreVote
        ? MessageType.MsgRequestPreVoteResponse
        : MessageType.MsgRequestVoteResponse;
  }

  /** Types that travel without a term: they are forwarded on a node's behalf, like a local request. */
  static boolean mayOmitTerm(MessageType type) {
    return type == MessageType.MsgPropose || type == MessageType.MsgReadIndex
        || type == MessageType.MsgTransferLeader;
  }

  /**
   * Why a message from a peer cannot be trusted to follow Raft's rules, or null if it is well formed. A
   * malformed message is dropped rather than stepped, so a confused or hostile peer cannot break the
   * node's invariants.
   */
  static String malformedReason(Message m, long selfId) {
    MessageType type = m.getMsgType();
    if (type == MessageType.UNRECOGNIZED) {
      return "unknown message type";
    }
    if (!mayOmitTerm(type) && m.getTerm() == 0) {
      return type + " without a term";
    }
    if (type != MessageType.MsgPropose && type != MessageType.MsgReadIndex
        && (m.getFrom() == 0 || m.getFrom() == selfId)) {
      return type + " from node " + m.getFrom();
    }
    switch (type) {
      case MsgAppend -> {
        long expected = m.getIndex() + 1;
        long prevTerm = m.getLogTerm();
        for (Entry e : m.getEntriesList()) {
          if (e.getIndex() != expected) {
            return "append entries not contiguous after index " + m.getIndex();
          }
          if (e.getTerm() < prevTerm || e.getTerm() > m.getTerm()) {
            return "append entry term " + e.getTerm() + " out of order at index " + e.getIndex();
          }
          prevTerm = e.getTerm();
          expected++;
        }
        if (m.getLogTerm() > m.getTerm()) {
          return "append previous term " + m.getLogTerm() + " above message term " + m.getTerm();
        }
      }
      case MsgSnapshot -> {
        if (!m.hasSnapshot() || m.getSnapshot().getMetadata().getIndex() == 0) {
          return "snapshot message without snapshot metadata";
        }
        if (m.getSnapshot().getMetadata().getTerm() == 0
            || m.getSnapshot().getMetadata().getTerm() > m.getTerm()) {
          return "snapshot term " + m.getSnapshot().getMetadata().getTerm() + " invalid for message term "
              + m.getTerm();
        }
      }
      case MsgPropose -> {
        if (m.getEntriesCount() == 0) {
          return "proposal without entries";
        }
      }
      case MsgReadIndex, MsgReadIndexResponse -> {
        if (m.getEntriesCount() != 1) {
          return type + " must carry exactly one entry (the request context)";
        }
      }
      default -> { }
    }
    return null;
  }
}
