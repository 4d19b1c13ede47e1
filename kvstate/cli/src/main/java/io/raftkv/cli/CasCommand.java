package io.raftkv.cli;

import io.raftkv.api.CasOp;
import io.raftkv.api.Op;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** raftkv cas KEY (--expect-value V | --expect-version N | --expect-absent) (NEW_VALUE | --delete). */
@Command(name = "cas", mixinStandardHelpOptions = true,
    description = "Compare-and-set: change the key only if it is as expected (exit code 1 if not).")
final class CasCommand implements Callable<Integer>, ClientCommand {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "NEW_VALUE", arity = "0..1", description = "The value to set.")
  String newValue;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Expectation expect;

  static final class Expectation {
    @Option(names = "--expect-value", description = "The key's current value must be this.")
    String value;

    @Option(names = "--expect-version", description = "The key's current version must be this.")
    Long version;

    @Option(names = "--expect-absent", description = "The key must not exist.")
    boolean absent;
  }

  @Option(names = "--delete", description = "Delete the key instead of setting a value.")
  boolean delete;

  @Override
  public Integer call() {
    return ClientCommand.once(this, client);
  }

  @Override
  public void check() {
    if (delete == (newValue != null)) {
      throw new IllegalArgumentException("give either NEW_VALUE or --delete (exactly one)");
    }
    if (expect.version != null && expect.version < 0) {
      throw new IllegalArgumentException("--expect-version is " + expect.version + ": versions are 0 or more");
    }
  }

  @Override
  public int answer(RaftKvClient c, AnswerSink sink) {
    CasOp.Builder cas = CasOp.newBuilder().setKey(Bytes.of(key)).setDeleteKey(delete);
    if (newValue != null) {
      cas.setNewValue(Bytes.of(newValue));
    }
    if (expect.value != null) {
      cas.setExpectedValue(Bytes.of(expect.value));
    } else if (expect.version != null) {
      cas.setExpectedVersion(expect.version);
    } else {
      cas.setExpectedVersion(0);
    }
    WriteResponse r = c.write(List.of(Op.newBuilder().setCas(cas).build()));
    if (!r.getApplied()) {
      var current = r.getResults(0).getPrevious();
      sink.problem("not matched: key '" + key + "' is "
          + (current.getVersion() == 0 ? "absent" : "'" + Bytes.text(current.getValue())
          + "' at version " + current.getVersion()));
      return ExitCodes.NOT_FOUND_OR_NOT_MATCHED;
    }
    sink.line("OK version=" + r.getIndex());
    return ExitCodes.OK;
  }
}
