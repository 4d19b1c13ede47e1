package io.raftkv.cli;

import io.raftkv.api.KeyValue;
import io.raftkv.api.ReadConsistency;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.ScanResponse;
import io.raftkv.client.RaftKvClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** raftkv scan [--prefix P | --start S --end E] [--limit N]. */
@Command(name = "scan", mixinStandardHelpOptions = true,
    description = "Print keys and values in key order, by prefix or in [start, end).")
final class ScanCommand implements Callable<Integer>, ClientCommand {
  @Mixin
  ClientOptions client;

  @Option(names = "--prefix", description = "Only keys starting with this.")
  String prefix = "";

  @Option(names = "--start", description = "First key (inclusive).")
  String start = "";

  @Option(names = "--end", description = "Stop before this key (exclusive).")
  String end = "";

  @Option(names = "--limit", defaultValue = "0", description = "Print at most this many keys (0: all).")
  int limit;

  @Option(names = "--serializable", description = "Read from any node's applied state (may be stale).")
  boolean serializable;

  @Option(names = "--keys-only", description = "Print keys only.")
  boolean keysOnly;

  @Override
  public Integer call() {
    return ClientCommand.once(this, client);
  }

  @Override
  public void check() {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit is " + limit + ": it must be 0 (all) or more");
    }
  }

  @Override
  public int answer(RaftKvClient c, AnswerSink sink) {
    String from = start;
    int printed = 0;
    while (true) {
      int page = limit == 0 ? 1000 : Math.min(1000, limit - printed);
      ScanResponse r = c.scan(ScanRequest.newBuilder().setPrefix(Bytes.of(prefix)).setStart(Bytes.of(from))
          .setEnd(Bytes.of(end)).setLimit(page).setKeysOnly(keysOnly)
          .setConsistency(serializable ? ReadConsistency.SERIALIZABLE : ReadConsistency.LINEARIZABLE).build());
      for (KeyValue kv : r.getKvsList()) {
        String k = sink.data(Bytes.text(kv.getKey()));
        sink.line(keysOnly ? k : k + "\t" + sink.data(Bytes.text(kv.getValue())));
        printed++;
      }
      if (!r.getMore() || (limit > 0 && printed >= limit)) {
        return ExitCodes.OK;
      }
      from = Bytes.text(r.getNextStart());
    }
  }
}
