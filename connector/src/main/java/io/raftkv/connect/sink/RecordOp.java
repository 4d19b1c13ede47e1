package io.raftkv.connect.sink;

import io.raftkv.api.Op;
import org.apache.kafka.common.TopicPartition;

/**
 * What one record does to RaftKV: its operation, or none for a bad record that was reported and skipped
 * (its offset still counts as written, so it is not handled again).
 *
 * @param partition the record's original topic-partition (before transforms)
 * @param offset its original Kafka offset
 * @param op the put or delete, or null for a skipped record
 */
public record RecordOp(TopicPartition partition, long offset, Op op) {}
