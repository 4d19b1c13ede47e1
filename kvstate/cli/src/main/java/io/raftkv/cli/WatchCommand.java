package io.raftkv.cli;

import io.raftkv.api.ChangeEvent;
import io.raftkv.api.KeyValue;
import io.raftkv.api.WatchRequest;
import io.raftkv.api.WatchResponse;
import io.raftkv.client.ChangeStream;
import io.raftkv.client.RaftKvClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** raftkv watch: prints change feed events as they come. */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = {"Print the change feed: one line per change, stored ones first, then live ones as they"
        + " apply, until interrupted (or --count).",
        "Line format: INDEX.SUB OP KEY [before=VALUE@VERSION] [after=VALUE@VERSION]; keys and values that"
            + " are not printable text show as hex (0x...)."})
final class WatchCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Option(names = "--from", paramLabel = "INDEX", defaultValue = "0",
      description = "First log index to print (default: the oldest change the node holds).")
  long fromIndex;

  @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "",
      description = "Only keys starting with PREFIX.")
  String prefix;

  @Option(names = "--snapshot",
      description = "First print every key as it is now (op READ), then the changes after that point.")
  boolean snapshot;

  @Option(names = "--count", paramLabel = "N", defaultValue = "0",
      description = "Exit after N lines (default: run until interrupted).")
  long count;

  @Override
  public Integer call() {
    if (fromIndex < 0) {
      throw new IllegalArgumentException("--from is " + fromIndex + "; it must be 0 (oldest held) or a log index");
    }
    if (count < 0) {
      throw new IllegalArgumentException("--count is " + count + "; it must be 0 (no limit) or more");
    }
    WatchRequest request = WatchRequest.newBuilder().setFromIndex(fromIndex).setKeyPrefix(Bytes.of(prefix))
        .setInitialSnapshot(snapshot).build();
    PrintStream out = System.out;
    long printed = 0;
    try (RaftKvClient c = client.connect(); ChangeStream stream = c.watch(request)) {
      while (count == 0 || printed < count) {
        WatchResponse response = stream.poll(Duration.ofSeconds(1));
        if (response == null) {
          continue;
        }
        for (ChangeEvent event : response.getEventsList()) {
          out.println(format(event));
          if (++printed == count) {
            break;
          }
        }
        if (response.getSnapshotDone()) {
          out.println("# snapshot taken at index " + response.getSnapshotIndex() + "; changes follow");
        }
        out.flush();
      }
    }
    return ExitCodes.OK;
  }

  static String format(ChangeEvent event) {
    StringBuilder line = new StringBuilder().append(event.getIndex()).append('.').append(event.getSubSequence())
        .append(' ').append(event.getOp()).append(' ').append(Bytes.display(event.getKey()));
    if (event.hasBefore()) {
      // before_omitted: the server kept the version but left the value out (its per-entry budget).
      line.append(" before=").append(event.getBeforeOmitted() ? "(value omitted)@" + event.getBefore().getVersion()
          : describe(event.getBefore()));
    }
    if (event.hasAfter()) {
      line.append(" after=").append(describe(event.getAfter()));
    }
    return line.toString();
  }

  private static String describe(KeyValue kv) {
    return Bytes.display(kv.getValue()) + "@" + kv.getVersion();
  }
}
