package io.raftkv.connect.source;

import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import io.raftkv.api.FeedPosition;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.connect.Version;
import io.raftkv.connect.config.KeyPrefixes;
import io.raftkv.connect.config.RaftKvClusterConfig;
import io.raftkv.connect.config.RaftKvSourceConfig;
import io.raftkv.connect.config.SourceConfigConflicts;
import io.raftkv.connect.config.StartPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits every change applied in RaftKV as a record, in feed order, resuming right after the last one its
 * offsets record. The first poll finds where to start (stored offset, else raftkv.start) and opens the watch.
 */
public final class RaftKvSourceTask extends SourceTask {
  private static final Logger log = LoggerFactory.getLogger(RaftKvSourceTask.class);

  /** Held by poll; stop() closes the stream only when no poll runs, else the poll does on its way out. */
  private final ReentrantLock polling = new ReentrantLock();
  private volatile boolean stopped;
  private RaftKvSourceConfig config;
  private RaftKvClient client;
  private FeedCursor cursor;
  private ChangeRecordFactory records;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    config = new RaftKvSourceConfig(props);
    SourceConfigConflicts.requireNone(config);
    client = RaftKvClusterConfig.connect(config);
  }

  @Override
  public List<SourceRecord> poll() {
    polling.lock();
    try {
      if (stopped) {
        closeResources();
        return null;
      }
      if (cursor == null) {
        open();
      }
      List<FeedItem> items = cursor.poll(config.pollInterval(), config.batchMaxEvents());
      if (items.isEmpty()) {
        return null;
      }
      List<SourceRecord> out = new ArrayList<>(items.size() + 16);
      for (FeedItem item : items) {
        out.addAll(records.records(item));
      }
      return out;
    } finally {
      polling.unlock();
      if (stopped) {
        closeIfIdle();
      }
    }
  }

  private void open() {
    String cluster;
    long appliedIndex = -1;
    try {
      cluster = config.clusterName().orElseGet(() -> ClusterStatus.clusterId(client));
      if (config.start() == StartPosition.NOW) {
        appliedIndex = ClusterStatus.appliedIndex(client);
      }
    } catch (RaftKvException e) {
      if (e.code() == Error.Code.UNAVAILABLE || e.code() == Error.Code.TIMEOUT) {
        throw new RetriableException("cannot reach RaftKV at " + client.endpoints() + " to start reading its change "
            + "feed: " + e.getMessage() + "; retrying", e);
      }
      throw new ConnectException("RaftKV at " + client.endpoints() + " refused the status request: " + e.getMessage(),
          e);
    }
    StartingPoint start = startingPoint(cluster, appliedIndex);
    String topic = SourceTopic.of(config, cluster);
    records = new ChangeRecordFactory(new ChangeRecordFactory.Settings(
        EnvelopeSchemas.build(cluster, config.keyFormat(), config.valueFormat()), config.keyFormat(),
        config.valueFormat(), topic, config.connectorName(), cluster, config.tombstonesOnDelete()),
        System::currentTimeMillis);
    boolean includeInternal = config.includeInternal();
    ByteString reserved = ByteString.copyFromUtf8(KeyPrefixes.RESERVED_NAMESPACE);
    Predicate<ByteString> emitKey = key -> includeInternal || !key.startsWith(reserved);
    cursor = new FeedCursor(client, config.keyPrefix(), emitKey, config.onCompacted(), config.connectorName(),
        start.position(), start.origin());
    log.info("Connector {}: change events of RaftKV cluster '{}' go to topic {}, starting from {} ({})",
        config.connectorName(), cluster, topic, SourceOffset.describe(start.position()), start.origin());
  }

  private record StartingPoint(FeedPosition position, String origin) {}

  private StartingPoint startingPoint(String cluster, long appliedIndex) {
    Map<String, Object> stored = context.offsetStorageReader().offset(SourcePartition.of(cluster));
    if (stored != null) {
      try {
        return new StartingPoint(SourceOffset.toPosition(stored), "the stored offset");
      } catch (IllegalArgumentException e) {
        throw new ConnectException("the stored offset of connector " + config.connectorName() + " for cluster '"
            + cluster + "' cannot be used: " + e.getMessage() + ". Set a good one (PATCH /connectors/"
            + config.connectorName() + "/offsets) or reset it (DELETE /connectors/" + config.connectorName()
            + "/offsets), with the connector stopped", e);
      }
    }
    return switch (config.start()) {
      case SNAPSHOT -> new StartingPoint(FeedPosition.snapshot(0), RaftKvSourceConfig.START + "=snapshot");
      case NOW -> new StartingPoint(FeedPosition.afterEntry(appliedIndex), RaftKvSourceConfig.START
          + "=now, applied index " + appliedIndex);
      case INDEX -> {
        long index = config.startIndex().orElseThrow();
        yield new StartingPoint(FeedPosition.afterEntry(index - 1), RaftKvSourceConfig.START_INDEX + "=" + index);
      }
    };
  }

  @Override
  public void stop() {
    stopped = true;
    closeIfIdle();
  }

  private void closeIfIdle() {
    if (polling.tryLock()) {
      try {
        closeResources();
      } finally {
        polling.unlock();
      }
    }
  }

  private void closeResources() {
    if (cursor != null) {
      cursor.close();
      cursor = null;
    }
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
