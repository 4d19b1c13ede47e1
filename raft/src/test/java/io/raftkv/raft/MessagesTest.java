package io.raftkv.raft;

import static io.raftkv.raft.RaftLogTest.ent;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.Message;
import io.raftkv.raft.pb.MessageType;
import io.raftkv.raft.pb.Snapshot;
import io.raftkv.raft.pb.SnapshotMetadata;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Unit tests of {@link Messages}: message classification and the malformed-message checks on what peers send. */
class MessagesTest {

  private static final long SELF = 1;
  private static final long PEER = 2;

  private static final Set<MessageType> LOCAL = EnumSet.of(MessageType.MsgHup, MessageType.MsgBeat,
      MessageType.MsgUnreachable, MessageType.MsgSnapStatus, MessageType.MsgCheckQuorum);

  /** A MsgAppend at term 5 from the peer, after index/logTerm, carrying entries given as index/term pairs. */
  private static Message append(long index, long logTerm, long... indexTermPairs) {
    Message.Builder m = Message.newBuilder().setMsgType(MessageType.MsgAppend).setFrom(PEER).setTo(SELF)
        .setTerm(5).setIndex(index).setLogTerm(logTerm).setCommit(index);
    for (int i = 0; i < indexTermPairs.length; i += 2) {
      m.addEntries(ent(indexTermPairs[i], indexTermPairs[i + 1]));
    }
    return m.build();
  }

  private static Message snapshotMessage(long term, long snapIndex, long snapTerm) {
    return Message.newBuilder().setMsgType(MessageType.MsgSnapshot).setFrom(PEER).setTo(SELF).setTerm(term)
        .setSnapshot(Snapshot.newBuilder()
            .setMetadata(SnapshotMetadata.newBuilder().setIndex(snapIndex).setTerm(snapTerm)))
        .build();
  }

  private static Message ofType(MessageType type) {
    return Message.newBuilder().setMsgType(type).setFrom(PEER).setTo(SELF).setTerm(3).build();
  }

  private static String reason(Message m) {
    return Messages.malformedReason(m, SELF);
  }

  @ParameterizedTest
  @EnumSource(value = MessageType.class, names = "UNRECOGNIZED", mode = EnumSource.Mode.EXCLUDE)
  void localMessageTypesAreExactlyTheOnesANodeSendsItself(MessageType type) {
    assertThat(Messages.isLocal(type)).isEqualTo(LOCAL.contains(type));
  }

  @Test
  void responseTypesAreRecognised() {
    assertThat(Messages.isResponse(MessageType.MsgAppendResponse)).isTrue();
    assertThat(Messages.isResponse(MessageType.MsgRequestVoteResponse)).isTrue();
    assertThat(Messages.isResponse(MessageType.MsgRequestPreVoteResponse)).isTrue();
    assertThat(Messages.isResponse(MessageType.MsgHeartbeatResponse)).isTrue();
    assertThat(Messages.isResponse(MessageType.MsgReadIndexResponse)).isTrue();
    assertThat(Messages.isResponse(MessageType.MsgAppend)).isFalse();
    assertThat(Messages.isResponse(MessageType.MsgRequestVote)).isFalse();
    assertThat(Messages.isResponse(MessageType.MsgHeartbeat)).isFalse();
    assertThat(Messages.isResponse(MessageType.MsgPropose)).isFalse();
  }

  @Test
  void voteResponseTypeMatchesThePreVoteOrVoteRequest() {
    assertThat(Messages.voteResponseType(MessageType.MsgRequestPreVote))
        .isEqualTo(MessageType.MsgRequestPreVoteResponse);
    assertThat(Messages.voteResponseType(MessageType.MsgRequestVote))
        .isEqualTo(MessageType.MsgRequestVoteResponse);
  }

  @Test
  void wellFormedMessagesPass() {
    assertThat(reason(append(3, 2, 4, 2, 5, 3, 6, 5))).isNull();
    assertThat(reason(append(0, 0, 1, 1, 2, 1))).isNull();
    assertThat(reason(append(7, 4))).as("an empty append (probe or commit update)").isNull();
    assertThat(reason(ofType(MessageType.MsgHeartbeat))).isNull();
    assertThat(reason(ofType(MessageType.MsgHeartbeatResponse))).isNull();
    assertThat(reason(ofType(MessageType.MsgAppendResponse))).isNull();
    assertThat(reason(ofType(MessageType.MsgRequestVote))).isNull();
    assertThat(reason(ofType(MessageType.MsgRequestPreVoteResponse))).isNull();
    assertThat(reason(ofType(MessageType.MsgTimeoutNow))).isNull();
    assertThat(reason(snapshotMessage(5, 10, 5))).isNull();
  }

  @ParameterizedTest
  @EnumSource(value = MessageType.class,
      names = {"MsgAppend", "MsgAppendResponse", "MsgRequestVote", "MsgRequestVoteResponse", "MsgHeartbeat",
          "MsgHeartbeatResponse", "MsgTimeoutNow", "MsgRequestPreVote", "MsgRequestPreVoteResponse",
          "MsgSnapshot", "MsgReadIndexResponse"})
  void aMessageWithoutATermIsRejected(MessageType type) {
    Message m = Message.newBuilder().setMsgType(type).setFrom(PEER).setTo(SELF).setTerm(0)
        .addEntries(Entry.getDefaultInstance()).build();

    assertThat(reason(m)).isNotNull().contains("term");
  }

  @Test
  void forwardedRequestsMayOmitTheTerm() {
    Message propose = Message.newBuilder().setMsgType(MessageType.MsgPropose).setFrom(PEER)
        .addEntries(Entry.newBuilder().setData(ByteString.copyFromUtf8("x"))).build();
    Message readIndex = Message.newBuilder().setMsgType(MessageType.MsgReadIndex).setFrom(PEER)
        .addEntries(Entry.newBuilder().setData(ByteString.copyFromUtf8("ctx"))).build();
    Message transfer = Message.newBuilder().setMsgType(MessageType.MsgTransferLeader).setFrom(PEER).build();

    assertThat(reason(propose)).isNull();
    assertThat(reason(readIndex)).isNull();
    assertThat(reason(transfer)).isNull();
    assertThat(Messages.mayOmitTerm(MessageType.MsgAppend)).isFalse();
  }

  @Test
  void aMessageFromNodeZeroIsRejected() {
    Message m = ofType(MessageType.MsgHeartbeat).toBuilder().setFrom(0).build();

    assertThat(reason(m)).isNotNull();
  }

  @Test
  void aMessageClaimingToComeFromTheNodeItselfIsRejected() {
    assertThat(reason(ofType(MessageType.MsgAppendResponse).toBuilder().setFrom(SELF).build())).isNotNull();
    assertThat(reason(append(3, 2).toBuilder().setFrom(SELF).build())).isNotNull();
  }

  @Test
  void proposalsAndReadIndexRequestsMayComeWithoutASender() {
    Message propose = Message.newBuilder().setMsgType(MessageType.MsgPropose)
        .addEntries(Entry.newBuilder().setData(ByteString.copyFromUtf8("x"))).build();
    Message readIndex = Message.newBuilder().setMsgType(MessageType.MsgReadIndex)
        .addEntries(Entry.newBuilder().setData(ByteString.copyFromUtf8("ctx"))).build();

    assertThat(reason(propose)).isNull();
    assertThat(reason(readIndex)).isNull();
  }

  @Test
  void aMessageOfAnUnknownTypeIsRejected() {
    Message m = Message.newBuilder().setMsgTypeValue(99).setFrom(PEER).setTerm(3).build();

    assertThat(reason(m)).isNotNull();
  }

  @Test
  void malformedAppendWithNonContiguousEntriesIsRejected() {
    assertThat(reason(append(3, 2, 4, 2, 6, 2))).isNotNull().contains("contiguous");
  }

  @Test
  void malformedAppendWithRepeatedIndexIsRejected() {
    assertThat(reason(append(3, 2, 4, 2, 4, 2))).isNotNull();
  }

  @Test
  void malformedAppendWhoseEntriesDoNotFollowThePrevIndexIsRejected() {
    assertThat(reason(append(3, 2, 5, 2, 6, 2))).isNotNull();
    assertThat(reason(append(3, 2, 3, 2))).isNotNull();
  }

  @Test
  void malformedAppendWithDecreasingEntryTermsIsRejected() {
    assertThat(reason(append(3, 2, 4, 4, 5, 3))).isNotNull();
  }

  @Test
  void malformedAppendWithAnEntryTermBelowThePrevLogTermIsRejected() {
    assertThat(reason(append(3, 3, 4, 2))).isNotNull();
  }

  @Test
  void malformedAppendWithAnEntryTermAboveTheMessageTermIsRejected() {
    assertThat(reason(append(3, 2, 4, 5, 5, 6))).isNotNull();
  }

  @Test
  void malformedAppendWithPrevLogTermAboveTheMessageTermIsRejected() {
    assertThat(reason(append(3, 6))).isNotNull();
  }

  @Test
  void appendWithEntriesOfTheMessageTermAndThePrevTermPasses() {
    assertThat(reason(append(3, 5, 4, 5, 5, 5))).isNull();
    assertThat(reason(append(3, 2, 4, 2, 5, 5))).isNull();
  }

  @Test
  void malformedSnapshotMessageWithoutASnapshotIsRejected() {
    Message m = ofType(MessageType.MsgSnapshot);

    assertThat(reason(m)).isNotNull();
  }

  @Test
  void malformedSnapshotAtIndexZeroIsRejected() {
    assertThat(reason(snapshotMessage(5, 0, 5))).isNotNull();
  }

  @Test
  void malformedSnapshotWithoutATermIsRejected() {
    assertThat(reason(snapshotMessage(5, 10, 0))).isNotNull();
  }

  @Test
  void malformedSnapshotFromAFutureTermIsRejected() {
    assertThat(reason(snapshotMessage(5, 10, 6))).isNotNull();
    assertThat(reason(snapshotMessage(5, 10, 4))).isNull();
  }

  @Test
  void malformedProposalWithoutEntriesIsRejected() {
    Message m = Message.newBuilder().setMsgType(MessageType.MsgPropose).setFrom(PEER).setTerm(3).build();

    assertThat(reason(m)).isNotNull();
  }

  @Test
  void malformedReadIndexWithoutExactlyOneContextEntryIsRejected() {
    Message none = Message.newBuilder().setMsgType(MessageType.MsgReadIndex).setFrom(PEER).setTerm(3).build();
    Message two = none.toBuilder().addEntries(Entry.getDefaultInstance()).addEntries(Entry.getDefaultInstance())
        .build();
    Message responseNone = ofType(MessageType.MsgReadIndexResponse);
    Message responseOne = responseNone.toBuilder().addEntries(Entry.getDefaultInstance()).build();

    assertThat(reason(none)).isNotNull();
    assertThat(reason(two)).isNotNull();
    assertThat(reason(responseNone)).isNotNull();
    assertThat(reason(responseOne)).isNull();
  }
}
