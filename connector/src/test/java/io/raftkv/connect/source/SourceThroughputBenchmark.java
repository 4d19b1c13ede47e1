package io.raftkv.connect.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.WriteResponse;
import io.raftkv.connect.testing.SourceTestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source throughput, exactly once, out of a 3-node RaftKV cluster into one Kafka broker, next to the raw
 * producer rate of the same broker in the same run: N changes with 1 KiB values already in the change feed,
 * one task, timed from the connector's creation until its committed offset reaches the last change. Run with
 * {@code mvn -B -pl connector -am verify -Pbench -Dtest=SourceThroughputBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Draftkv.bench.records=N}, and any source option as
 * {@code -Draftkv.bench.source.<option>=value}, e.g. {@code -Draftkv.bench.source.batch.max.events=512}); it
 * prints the figures and is not part of the default build. Connect gives a source task's producer one
 * request in flight and 16 KiB batches; the figures in connector/README.md compare that with the producer
 * overrides the example configs use ({@code -Draftkv.bench.source.producer.override.batch.size=1048576
 * -Draftkv.bench.source.producer.override.linger.ms=5
 * -Draftkv.bench.source.producer.override.max.in.flight.requests.per.connection=5}).
 */
class SourceThroughputBenchmark {
  private static final int VALUE_BYTES = 1024;
  private static final int OPS_PER_WRITE = 200;
  private static final String PREFIX = "bench/";
  private static final String OPTION_PROPERTY = "raftkv.bench.source.";

  @TempDir
  Path root;

  @Test
  void sourceThroughputOfOneKibChangesExactlyOnce() throws Exception {
    int events = Integer.getInteger("raftkv.bench.records", 100_000);
    byte[] value = new byte[VALUE_BYTES];
    Arrays.fill(value, (byte) 'x');
    try (SourceTestEnvironment env = SourceTestEnvironment.start(root, "source-bench", Map.of(),
        UnaryOperator.identity())) {
      // The machine is shared: the raw rate is taken before and after the source, and their mean compared.
      double rawBefore = rawProducerRate(env, "bench-raw-before", events, value, Map.of());

      long loading = System.nanoTime();
      long first = 0;
      long last = 0;
      List<Op> ops = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        ops.add(Op.newBuilder().setPut(PutOp.newBuilder().setKey(ByteString.copyFromUtf8(
            String.format("%sk%08d", PREFIX, i))).setValue(ByteString.copyFrom(value))).build());
        if (ops.size() == OPS_PER_WRITE || i == events - 1) {
          WriteResponse w = env.raftkv.client().write(ops);
          first = first == 0 ? w.getIndex() : first;
          last = w.getIndex();
          ops.clear();
        }
      }
      int lastSub = (events - 1) % OPS_PER_WRITE;
      System.out.printf("wrote %,d changes into RaftKV (%d per write) in %.1f s%n", events, OPS_PER_WRITE,
          (System.nanoTime() - loading) / 1e9);

      env.connect.kafka().createTopic("bench-changes", 1);
      Map<String, String> config = env.sourceConfig("bench-changes", PREFIX);
      config.put("raftkv.start", "index");
      config.put("raftkv.start.index", String.valueOf(first));
      System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith(OPTION_PROPERTY))
          .forEach(p -> config.put(p.substring(OPTION_PROPERTY.length()), System.getProperty(p)));
      System.out.println("source options: " + new java.util.TreeMap<>(config));
      Map<String, Object> end = Map.of("index", last, "sub", (long) lastSub);
      long start = System.nanoTime();
      env.connect.configureConnector("bench-source", config);
      long lastReport = start;
      while (!end.equals(committedOffset(env))) {
        long now = System.nanoTime();
        if (now - lastReport > Duration.ofSeconds(2).toNanos()) {
          System.out.printf("  offset %s after %.1f s%n", committedOffset(env), (now - start) / 1e9);
          lastReport = now;
        }
        if (now - start > Duration.ofMinutes(10).toNanos()) {
          throw new AssertionError("the source did not finish within 10 minutes: offset " + committedOffset(env));
        }
        Thread.sleep(50);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = events / seconds;
      env.connect.deleteConnector("bench-source");
      double rawAfter = rawProducerRate(env, "bench-raw-after", events, value, Map.of());
      double raw = (rawBefore + rawAfter) / 2;
      Map<String, Object> overrides = producerOverrides();
      double rawTuned = overrides.isEmpty() ? raw : rawProducerRate(env, "bench-raw-tuned", events, value, overrides);
      System.out.printf("SOURCE THROUGHPUT: %,d change events (values of %d bytes) in %.2f s = %,.0f events/s "
          + "(%.1f MiB/s of values), exactly once, 3-node RaftKV -> 1 broker, 1 task%n", events, VALUE_BYTES, seconds,
          rate, rate * VALUE_BYTES / (1 << 20));
      System.out.printf("RAW PRODUCER: %,.0f records/s of %d bytes on the same broker (%,.0f before, %,.0f after); "
          + "source / raw = %.2f%n", raw, VALUE_BYTES, rawBefore, rawAfter, rate / raw);
      if (!overrides.isEmpty()) {
        System.out.printf("RAW PRODUCER WITH THE SOURCE'S OVERRIDES %s: %,.0f records/s; source / that = %.2f%n",
            overrides, rawTuned, rate / rawTuned);
      }
      assertThat(env.readCommitted("bench-changes", events, Duration.ofMinutes(2))).as("events in the topic")
          .hasSize(events);
    }
  }

  /** The source's producer.override.* options given to the benchmark, as producer settings. */
  private static Map<String, Object> producerOverrides() {
    Map<String, Object> settings = new java.util.TreeMap<>();
    String prefix = OPTION_PROPERTY + "producer.override.";
    System.getProperties().stringPropertyNames().stream().filter(p -> p.startsWith(prefix))
        .forEach(p -> settings.put(p.substring(prefix.length()), System.getProperty(p)));
    return settings;
  }

  /** Records per second a plain producer (idempotent, acks=all, plus {@code settings}) writes to one partition. */
  private static double rawProducerRate(SourceTestEnvironment env, String topic, int records, byte[] value,
      Map<String, Object> settings) {
    env.connect.kafka().createTopic(topic, 1);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long start = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = env.connect.kafka().createProducer(settings)) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, 0, ("key-" + i).getBytes(StandardCharsets.UTF_8), value),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("the raw producer failed", failure.get());
    }
    assertThat(env.endOffset(topic)).isEqualTo(records);
    System.out.printf("raw producer %s: %,d records of %d bytes in %.2f s = %,.0f records/s%n", settings, records,
        value.length, seconds, records / seconds);
    return records / seconds;
  }

  private static Map<String, Object> committedOffset(SourceTestEnvironment env) {
    var offsets = env.connect.connectorOffsets("bench-source").offsets();
    if (offsets.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> out = new java.util.HashMap<>();
    offsets.get(0).offset().forEach((k, v) -> out.put(k, v instanceof Number n ? n.longValue() : v));
    return out;
  }
}
