package io.raftkv.server.statemachine;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.Error;
import io.raftkv.api.WriteRequest;
import io.raftkv.server.statemachine.pb.AuthChange;
import io.raftkv.server.statemachine.pb.Command;

/** The {@link Command} in a raft entry's data: built from a client's write when proposed, parsed back when applied. */
public final class CommandCodec {
  private CommandCodec() {}

  /** What an entry's data holds: a command, or bytes that are not one. */
  sealed interface Decoded permits Decoded.Valid, Decoded.Malformed {
    /** The entry holds this command. */
    record Valid(Command command) implements Decoded {}

    /** The entry holds no command: it applies as a no-op, answered with this error. */
    record Malformed(Error error) implements Decoded {}
  }

  /**
   * The entry data proposing {@code request}, stamped with the leader's clock {@code proposedAtMs} so every
   * replica records the same time.
   */
  public static ByteString encode(WriteRequest request, long proposedAtMs) {
    return Command.newBuilder().setClientId(request.getClientId()).setSequence(request.getSequence())
        .setAcknowledgedSequence(request.getAcknowledgedSequence()).addAllOps(request.getOpsList())
        .setProposedAtMs(proposedAtMs).setOmitPrevious(request.getOmitPrevious())
        .setResumesSession(request.getResumesSession())
        .build().toByteString();
  }

  /** The entry data proposing an auth change; it carries no session (client id 0). */
  public static ByteString encodeAuth(AuthChange change, long proposedAtMs) {
    return Command.newBuilder().setAuth(change).setProposedAtMs(proposedAtMs).build().toByteString();
  }

  /** The command in the data of the normal entry at {@code index}. */
  static Decoded decode(long index, ByteString data) {
    try {
      return new Decoded.Valid(Command.parseFrom(data));
    } catch (InvalidProtocolBufferException e) {
      return new Decoded.Malformed(Error.newBuilder().setCode(Error.Code.APPLY_REFUSED)
          .setMessage("entry " + index + " is not a command (" + e.getMessage() + "); it applied as a no-op")
          .build());
    }
  }
}
