package io.raftkv.raft.sim;

import com.google.protobuf.ByteString;
import io.raftkv.raft.pb.Entry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated state machine is the sequence of entries a node applied, from index 1 on; a snapshot's
 * data is that sequence up to the snapshot's index (length-delimited {@link Entry} messages), so a node
 * restored from a snapshot can still be compared entry by entry with every other node.
 */
final class SnapshotCodec {
  private SnapshotCodec() {}

  static ByteString encode(List<Entry> applied) {
    ByteString.Output out = ByteString.newOutput();
    try {
      for (Entry e : applied) {
        e.writeDelimitedTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteString();
  }

  static List<Entry> decode(ByteString data) {
    List<Entry> entries = new ArrayList<>();
    try (InputStream in = data.newInput()) {
      Entry e;
      while ((e = Entry.parseDelimitedFrom(in)) != null) {
        entries.add(e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }
}
