package io.raftkv.connect.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.connect.testing.SinkTestEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sink throughput, exactly once, into a 3-node RaftKV cluster: records of 1 KiB already in the topic, one
 * task, timed from the connector's creation until every partition's stored offset reaches its end. Run with
 * {@code mvn -B -pl connector -am verify -Pbench -Dtest=SinkThroughputBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Draftkv.bench.records=N}, {@code -Draftkv.bench.tasks=N});
 * it prints the figures and is not part of the default build.
 */
class SinkThroughputBenchmark {
  private static final int PARTITIONS = 4;
  private static final int VALUE_BYTES = 1024;

  @TempDir
  Path root;

  @Test
  void sinkThroughputOfOneKibRecordsExactlyOnce() throws Exception {
    int records = Integer.getInteger("raftkv.bench.records", 100_000);
    int tasks = Integer.getInteger("raftkv.bench.tasks", 1);
    try (SinkTestEnvironment env = SinkTestEnvironment.start(root, "sink-bench",
        Map.of("connector.client.config.override.policy", "All"))) {
      env.connect.kafka().createTopic("bench", PARTITIONS);
      byte[] value = new byte[VALUE_BYTES];
      Arrays.fill(value, (byte) 'x');
      long producing = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> producer = env.connect.kafka().createProducer(
          Map.of("linger.ms", 20, "batch.size", 1 << 20))) {
        java.util.concurrent.atomic.AtomicReference<Exception> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int i = 0; i < records; i++) {
          producer.send(new ProducerRecord<>("bench", i % PARTITIONS, ("key-" + i).getBytes(StandardCharsets.UTF_8),
              value), (metadata, e) -> {
                if (e != null) {
                  failure.compareAndSet(null, e);
                }
              });
        }
        producer.flush();
        if (failure.get() != null) {
          throw new IllegalStateException("producing the benchmark's records failed", failure.get());
        }
      }
      long inTopic = 0;
      for (int p = 0; p < PARTITIONS; p++) {
        inTopic += env.endOffset("bench", p);
      }
      assertThat(inTopic).as("records in the topic").isEqualTo(records);
      System.out.printf("produced %,d records of %d bytes in %.1f s%n", records, VALUE_BYTES,
          (System.nanoTime() - producing) / 1e9);

      Map<String, String> config = env.sinkConfig("bench");
      config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
      // About one 8 MiB write (the request limit) per poll.
      config.put("consumer.override.max.poll.records", "7800");
      config.put("consumer.override.max.partition.fetch.bytes", String.valueOf(8 << 20));
      config.put("consumer.override.fetch.max.bytes", String.valueOf(32 << 20));
      config.put("raftkv.request.timeout.ms", "30000");
      config.put("tasks.max", String.valueOf(tasks));
      long start = System.nanoTime();
      env.connect.configureConnector("bench-sink", config);
      long lastReport = start;
      long firstWrite = 0;
      long writtenAtFirst = 0;
      while (true) {
        long written = 0;
        boolean done = true;
        for (int p = 0; p < PARTITIONS; p++) {
          long stored = env.raftkv.get(OffsetStore.NAMESPACE + "bench-sink/bench/" + p)
              .map(OffsetStore::decode).orElse(OffsetStore.NONE);
          written += stored + 1;
          done &= stored == env.endOffset("bench", p) - 1;
        }
        long now = System.nanoTime();
        if (firstWrite == 0 && written > 0) {
          firstWrite = now;
          writtenAtFirst = written;
        }
        if (done) {
          double seconds = (now - start) / 1e9;
          System.out.printf("SINK THROUGHPUT: %,d records of %d bytes in %.2f s = %,.0f records/s (%.1f MiB/s), "
              + "exactly once, 3-node RaftKV, %d task(s), connector start included%n", records, VALUE_BYTES, seconds,
              records / seconds, records * (double) VALUE_BYTES / (1 << 20) / seconds, tasks);
          double steady = (now - firstWrite) / 1e9;
          System.out.printf("SINK THROUGHPUT after the first write: %,d records in %.2f s = %,.0f records/s%n",
              records - writtenAtFirst, steady, (records - writtenAtFirst) / steady);
          break;
        }
        if (now - lastReport > Duration.ofSeconds(2).toNanos()) {
          System.out.printf("  %,d records written after %.1f s%n", written, (now - start) / 1e9);
          lastReport = now;
        }
        if (now - start > Duration.ofMinutes(10).toNanos()) {
          throw new AssertionError("sink did not finish within 10 minutes: " + written + " written");
        }
        Thread.sleep(50);
      }
      assertThat(env.raftkv.get("bench/key-" + (records - 1))).isPresent();
      assertThat(env.raftkv.get("bench/key-0").orElseThrow().getValue().size()).isEqualTo(VALUE_BYTES);
    }
  }
}
