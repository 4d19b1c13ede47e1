package io.raftkv.server.statemachine;

import static io.raftkv.server.testing.Ops.b;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.CasOp;
import io.raftkv.api.DeleteOp;
import io.raftkv.api.Error;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.WriteRequest;
import io.raftkv.server.statemachine.pb.Command;
import org.junit.jupiter.api.Test;

/** The command codec: what the leader proposes is what every replica applies; other bytes are refused. */
class CommandCodecTest {
  @Test
  void aWriteRequestRoundTripsThroughEntryDataWithEveryProposalField() {
    WriteRequest request = WriteRequest.newBuilder().setClientId(-1L).setSequence(42).setAcknowledgedSequence(40)
        .addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("a")).setValue(b("1"))))
        .addOps(Op.newBuilder().setDelete(DeleteOp.newBuilder().setKey(b("b"))))
        .addOps(Op.newBuilder().setCas(CasOp.newBuilder().setKey(b("c")).setExpectedVersion(3).setNewValue(b("2"))))
        .setOmitPrevious(true).setResumesSession(true).build();

    CommandCodec.Decoded decoded = CommandCodec.decode(7, CommandCodec.encode(request, 1_700_000_000_123L));

    assertThat(decoded).isInstanceOf(CommandCodec.Decoded.Valid.class);
    Command command = ((CommandCodec.Decoded.Valid) decoded).command();
    assertThat(command).isEqualTo(Command.newBuilder().setClientId(-1L).setSequence(42).setAcknowledgedSequence(40)
        .addAllOps(request.getOpsList()).setProposedAtMs(1_700_000_000_123L).setOmitPrevious(true)
        .setResumesSession(true).build());
  }

  @Test
  void bytesThatAreNotACommandAreRefusedNamingTheEntry() {
    CommandCodec.Decoded decoded = CommandCodec.decode(42, b("\u00ff\u00ff garbage"));

    assertThat(decoded).isInstanceOf(CommandCodec.Decoded.Malformed.class);
    Error error = ((CommandCodec.Decoded.Malformed) decoded).error();
    assertThat(error.getCode()).isEqualTo(Error.Code.APPLY_REFUSED);
    assertThat(error.getMessage()).startsWith("entry 42 is not a command (").endsWith("); it applied as a no-op");
  }
}
