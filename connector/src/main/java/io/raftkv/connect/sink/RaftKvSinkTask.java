package io.raftkv.connect.sink;

import io.raftkv.api.Error;
import io.raftkv.api.Op;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.connect.Version;
import io.raftkv.connect.config.AccessProbe;
import io.raftkv.connect.config.AuthSettings;
import io.raftkv.connect.config.RaftKvClusterConfig;
import io.raftkv.connect.config.RaftKvSinkConfig;
import io.raftkv.connect.config.WriteLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to RaftKV exactly once: each batch goes out as atomic writes that also move the stored
 * offset of every partition they cover, guarded by a compare-and-set on that offset; records at or below
 * the stored offset are skipped, and on assignment the consumer is rewound to just past it.
 */
public final class RaftKvSinkTask extends SinkTask {
  private static final Logger log = LoggerFactory.getLogger(RaftKvSinkTask.class);

  private RaftKvClient client;
  private RaftKvSinkConfig config;
  private OffsetStore offsets;
  private RecordEncoder encoder;
  private RecordConverter converter;
  private WritePlanner planner;
  private WriteLimits limits;
  private BadRecordPolicy badRecords;
  private Duration retryBackoff;
  private Duration requestTimeout;
  /**
   * Highest offset in RaftKV per assigned partition ({@link OffsetStore#NONE}: nothing stored). A partition
   * is absent until its stored offset has been read, and again after a write whose outcome is unknown.
   */
  private final Map<TopicPartition, Long> written = new HashMap<>();
  private final Map<TopicPartition, Integer> offsetOpBytes = new HashMap<>();

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new RaftKvSinkConfig(props);
    limits = config.writeLimits();
    offsets = new OffsetStore(config.connectorName());
    encoder = new RecordEncoder();
    converter = new RecordConverter(config.keyPrefixes(), limits, encoder);
    planner = new WritePlanner(limits, this::offsetOpBytes);
    badRecords = new BadRecordPolicy(config.toleratesBadRecords(), errantRecordReporter());
    retryBackoff = config.retryBackoff();
    requestTimeout = RaftKvClusterConfig.requestTimeout(config);
    client = RaftKvClusterConfig.connect(config);
    log.info("RaftKV sink task started: endpoints {}, connector {}", client.endpoints(), config.connectorName());
  }

  private ErrantRecordReporter errantRecordReporter() {
    try {
      return context.errantRecordReporter();
    } catch (NoSuchMethodError | NoClassDefFoundError e) {
      return null; // a worker older than Kafka 2.6
    }
  }

  /** The most bytes {@code tp}'s offset operation takes in a write request. */
  private int offsetOpBytes(TopicPartition tp) {
    return offsetOpBytes.computeIfAbsent(tp,
        p -> WritePlanner.bytesInRequest(offsets.advance(p, Long.MAX_VALUE, Long.MAX_VALUE)));
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    try {
      loadStoredOffsets(partitions);
    } catch (RaftKvException e) {
      if (refusesTheUser(e)) {
        throw new ConnectException("RaftKV refused to read the stored offsets of " + partitions + ": "
            + AccessProbe.refusal(e, AuthSettings.of(config)) + authHint(), e);
      }
      // put() reads them before it writes anything to these partitions, and retries until it can.
      log.warn("Could not read the stored offsets of {} yet: {}", partitions, e.getMessage());
    }
  }

  /** Reads the stored offsets and rewinds the consumer to just past them. */
  private void loadStoredOffsets(Collection<TopicPartition> partitions) {
    for (Map.Entry<TopicPartition, Long> e : offsets.read(client, partitions).entrySet()) {
      written.put(e.getKey(), e.getValue());
      if (e.getValue() != OffsetStore.NONE) {
        context.offset(e.getKey(), e.getValue() + 1);
      }
    }
    log.info("Stored offsets (highest written) of {}: {}", partitions, written);
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    Set<TopicPartition> unknown = new LinkedHashSet<>();
    for (SinkRecord r : records) {
      TopicPartition tp = partitionOf(r);
      if (!written.containsKey(tp)) {
        unknown.add(tp);
      }
    }
    if (!unknown.isEmpty()) {
      try {
        loadStoredOffsets(unknown);
      } catch (RaftKvException e) {
        if (refusesTheUser(e)) {
          throw new ConnectException("RaftKV refused to read the stored offsets of " + unknown + ": "
              + AccessProbe.refusal(e, AuthSettings.of(config)) + authHint(), e);
        }
        throw retriable("reading the stored offsets of " + unknown, e);
      }
    }
    List<Future<Void>> reports = new ArrayList<>();
    List<RecordOp> ops = convert(records, reports);
    awaitReports(reports);
    for (WriteChunk chunk : planner.plan(ops)) {
      write(chunk);
    }
  }

  private static TopicPartition partitionOf(SinkRecord r) {
    return new TopicPartition(r.originalTopic(), r.originalKafkaPartition());
  }

  /** The operations of the records not yet written; bad records are reported (op null) or fail the task. */
  private List<RecordOp> convert(Collection<SinkRecord> records, List<Future<Void>> reports) {
    List<RecordOp> out = new ArrayList<>(records.size());
    for (SinkRecord r : records) {
      TopicPartition tp = partitionOf(r);
      long offset = r.originalKafkaOffset();
      if (offset <= written.get(tp)) {
        continue; // already in RaftKV: a redelivery
      }
      Op op;
      try {
        op = converter.convert(r);
        int needed = WriteLimits.REQUEST_OVERHEAD_BYTES + WritePlanner.bytesInRequest(op) + offsetOpBytes(tp);
        if (needed > limits.maxWriteBytes()) {
          throw new BadRecordException(r, "it needs a " + needed + "-byte write; "
              + RaftKvSinkConfig.WRITE_MAX_BYTES + " is " + limits.maxWriteBytes());
        }
      } catch (BadRecordException e) {
        reports.add(badRecords.handle(r, e));
        op = null;
      }
      out.add(new RecordOp(tp, offset, op));
    }
    return out;
  }

  /** Bad records are in the dead-letter queue before the offsets past them are stored. */
  private void awaitReports(List<Future<Void>> reports) {
    for (Future<Void> report : reports) {
      try {
        report.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw new ConnectException("could not report a bad record: " + e.getCause().getMessage(), e.getCause());
      } catch (TimeoutException e) {
        throw retriable("reporting bad records", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConnectException("interrupted while reporting bad records", e);
      }
    }
  }

  private void write(WriteChunk chunk) {
    List<Op> ops = new ArrayList<>(chunk.dataOps());
    for (Map.Entry<TopicPartition, Long> e : chunk.highestOffsets().entrySet()) {
      ops.add(offsets.advance(e.getKey(), written.get(e.getKey()), e.getValue()));
    }
    WriteResponse response;
    try {
      response = client.write(ops);
    } catch (RaftKvException e) {
      if (refusesTheUser(e)) {
        throw new ConnectException("RaftKV refused the write of the records up to offsets "
            + chunk.highestOffsets() + ": " + AccessProbe.refusal(e, AuthSettings.of(config)) + authHint(), e);
      }
      if (e.code() == Error.Code.INVALID_ARGUMENT || e.code() == Error.Code.APPLY_REFUSED) {
        throw new ConnectException("RaftKV refused the write of the records up to offsets "
            + chunk.highestOffsets() + ": " + e.code() + ": " + e.getMessage()
            + " (are the raftkv.*.max.* options above the server's limits?)", e);
      }
      if (e.code() == Error.Code.SESSION_EXPIRED) {
        // The cluster evicted this client's exactly-once session. The sink does not rely on it (its
        // conditional offset operations make a redelivered batch apply at most once), so a new client, with
        // a new session, takes over; the batch is redelivered after the stored offsets are read again.
        log.warn("RaftKV evicted the sink's client session; reconnecting with a new one: {}", e.getMessage());
        client.close();
        client = RaftKvClusterConfig.connect(config);
      }
      // The write may still apply: read the stored offsets again before writing these partitions.
      written.keySet().removeAll(chunk.highestOffsets().keySet());
      throw retriable("writing the records up to offsets " + chunk.highestOffsets(), e);
    }
    if (!response.getApplied()) {
      written.keySet().removeAll(chunk.highestOffsets().keySet());
      throw retriable("writing the records up to offsets " + chunk.highestOffsets(), new ConnectException(
          "the stored offsets changed under this task (an earlier attempt applied late, or another task "
              + "wrote these partitions); they are read again and the batch redelivered"));
    }
    written.putAll(chunk.highestOffsets());
    log.debug("Wrote {} records up to offsets {} at index {}", chunk.dataOps().size(), chunk.highestOffsets(),
        response.getIndex());
  }

  /**
   * Whether the cluster refused the connector's user, which no retry mends: no permission on a key (the
   * sink needs readwrite on its prefixes and stored offsets), or no user, or a password it no longer takes.
   */
  private static boolean refusesTheUser(RaftKvException e) {
    return e.code() == Error.Code.PERMISSION_DENIED || e.code() == Error.Code.UNAUTHENTICATED;
  }

  private static String authHint() {
    return ". The sink needs readwrite on its key prefixes and on its stored offsets ("
        + OffsetStore.NAMESPACE + "<connector name>/): grant its user a role with them, or fix "
        + "raftkv.auth.user/raftkv.auth.password (or the client certificate), then restart the task";
  }

  private RetriableException retriable(String what, Exception cause) {
    context.timeout(retryBackoff.toMillis());
    return new RetriableException("RaftKV sink: " + what + " failed, Kafka Connect will redeliver: "
        + cause.getMessage(), cause);
  }

  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    Map<TopicPartition, OffsetAndMetadata> durable = new HashMap<>();
    for (TopicPartition tp : currentOffsets.keySet()) {
      Long highest = written.get(tp);
      if (highest != null && highest != OffsetStore.NONE) {
        durable.put(tp, new OffsetAndMetadata(highest + 1));
      }
    }
    return durable;
  }

  @Override
  public void close(Collection<TopicPartition> partitions) {
    written.keySet().removeAll(partitions);
    offsetOpBytes.keySet().removeAll(partitions);
  }

  @Override
  public void stop() {
    if (client != null) {
      client.close();
    }
    if (encoder != null) {
      encoder.close();
    }
  }
}
