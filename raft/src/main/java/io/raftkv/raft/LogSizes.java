package io.raftkv.raft;

import io.raftkv.raft.pb.Entry;
import java.util.List;

/** Byte accounting of entry lists, shared by the log, the storage and the append batching. */
final class LogSizes {
  private LogSizes() {}

  /** The longest prefix of {@code entries} within {@code maxSize} bytes, but at least one entry. */
  static List<Entry> limit(List<Entry> entries, long maxSize) {
    if (entries.isEmpty()) {
      return entries;
    }
    long size = entries.get(0).getSerializedSize();
    int limit = 1;
    for (; limit < entries.size(); limit++) {
      size += entries.get(limit).getSerializedSize();
      if (size > maxSize) {
        break;
      }
    }
    return limit == entries.size() ? entries : entries.subList(0, limit);
  }
}
