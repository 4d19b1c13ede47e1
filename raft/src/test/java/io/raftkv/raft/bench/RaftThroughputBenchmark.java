package io.raftkv.raft.bench;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Committed entries per second of a 3-node in-memory group driven from one thread, for 128-byte
 * proposals one at a time and in batches of 64. Each operation is one committed entry, so with
 * {@code -prof gc} the {@code gc.alloc.rate.norm} column is allocated bytes per entry.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
@State(Scope.Thread)
public class RaftThroughputBenchmark {
  private static final int PAYLOAD_BYTES = 128;
  private static final int BATCH = 64;

  private InMemoryGroup group;
  private List<ByteString> single;
  private List<ByteString> batch;

  @Setup(Level.Trial)
  public void setUp() {
    group = new InMemoryGroup(3);
    byte[] payload = new byte[PAYLOAD_BYTES];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    ByteString data = ByteString.copyFrom(payload);
    single = List.of(data);
    batch = new ArrayList<>();
    for (int i = 0; i < BATCH; i++) {
      batch.add(data);
    }
  }

  @Benchmark
  public long proposeOneAtATime() {
    group.proposeAndCommit(single);
    return group.appliedNormalEntries();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long proposeBatchesOf64() {
    group.proposeAndCommit(batch);
    return group.appliedNormalEntries();
  }
}
