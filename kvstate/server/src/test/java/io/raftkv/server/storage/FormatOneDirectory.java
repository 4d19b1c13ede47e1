package io.raftkv.server.storage;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.Member;
import io.raftkv.api.WriteResponse;
import io.raftkv.raft.pb.ConfState;
import io.raftkv.raft.pb.Entry;
import io.raftkv.raft.pb.HardState;
import io.raftkv.server.statemachine.pb.CachedResponse;
import io.raftkv.server.statemachine.pb.ClientSession;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.pb.ApplyState;
import io.raftkv.server.storage.pb.FeedState;
import io.raftkv.server.storage.pb.MemberList;
import io.raftkv.server.storage.pb.StoreIdent;
import io.raftkv.server.storage.pb.TruncatedState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A data directory as a format-1 build wrote it, written key by key in the old shapes straight through
 * RocksDB (tests): node 1 of cluster "c", a log compacted through index 5 holding entries 6..last, client
 * 7's session with its answer to request 2, one change event per entry, and user key "k".
 */
final class FormatOneDirectory implements AutoCloseable {
  static final long TRUNCATED_INDEX = 5;
  static final long TERM = 2;
  static final ConfState CONF = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
  static final Member MEMBER = Member.newBuilder().setId(1).setPeerAddress("127.0.0.1:1").build();
  static final WriteResponse ANSWER_TO_REQUEST_2 = WriteResponse.newBuilder().setIndex(50).setApplied(true).build();

  final RocksDB db;
  private final DBOptions options;
  private final List<ColumnFamilyHandle> handles;

  /** Opens {@code dir} (creating it) with RaftKV's column families, writing nothing. */
  FormatOneDirectory(Path dir) throws RocksDBException {
    options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (ColumnFamily cf : ColumnFamily.values()) {
      descriptors.add(new ColumnFamilyDescriptor(cf.rocksName()));
    }
    handles = new ArrayList<>();
    db = RocksDB.open(options, dir.toString(), descriptors, handles);
  }

  ColumnFamilyHandle handle(ColumnFamily cf) {
    return handles.get(cf.ordinal());
  }

  static Entry entry(long index) {
    return Entry.newBuilder().setIndex(index).setTerm(TERM).setData(ByteString.copyFromUtf8("e" + index)).build();
  }

  static ChangeEvent event(long index) {
    return ChangeEvent.newBuilder().setIndex(index).setKey(ByteString.copyFromUtf8("k" + index)).build();
  }

  /** Writes the state of a format-1 node that applied entries through {@code last}; its identity says {@code format}. */
  void write(long last, int format) throws RocksDBException {
    try (WriteBatch batch = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
      ColumnFamilyHandle meta = handle(ColumnFamily.RAFT_META);
      batch.put(meta, ascii("ident"), StoreIdent.newBuilder().setClusterId("c").setNodeId(1).setFormatVersion(format)
          .build().toByteArray());
      batch.put(meta, ascii("hard_state"), HardState.newBuilder().setTerm(TERM).setVote(1).setCommit(last).build()
          .toByteArray());
      batch.put(meta, ascii("conf_state"), CONF.toByteArray());
      batch.put(meta, ascii("truncated_state"), TruncatedState.newBuilder().setIndex(TRUNCATED_INDEX).setTerm(1)
          .build().toByteArray());
      batch.put(meta, ascii("apply_state"), ApplyState.newBuilder().setAppliedIndex(last).setAppliedTerm(TERM).build()
          .toByteArray());
      batch.put(meta, ascii("members"), MemberList.newBuilder().addMembers(MEMBER).build().toByteArray());
      for (long i = TRUNCATED_INDEX + 1; i <= last; i++) {
        batch.put(handle(ColumnFamily.RAFT_LOG), Keys.u64(i), entry(i).toByteArray());
        byte[] eventKey = new byte[13];
        eventKey[0] = 'e';
        Keys.putU64(eventKey, 1, i);
        batch.put(handle(ColumnFamily.FEED), eventKey, event(i).toByteArray());
      }
      batch.put(handle(ColumnFamily.FEED), new byte[] {'m'},
          FeedState.newBuilder().setTruncatedIndex(TRUNCATED_INDEX).build().toByteArray());
      byte[] header = new byte[9];
      header[0] = 'h';
      Keys.putU64(header, 1, 7);
      batch.put(handle(ColumnFamily.SESSIONS), header, ClientSession.newBuilder().setClientId(7)
          .setHighestSequence(2).build().toByteArray());
      byte[] answer = new byte[17];
      answer[0] = 'r';
      Keys.putU64(answer, 1, 7);
      Keys.putU64(answer, 9, 2);
      batch.put(handle(ColumnFamily.SESSIONS), answer, CachedResponse.newBuilder().setSequence(2)
          .setResponse(ANSWER_TO_REQUEST_2).build().toByteArray());
      batch.put(handle(ColumnFamily.DATA), ascii("k"), StoredValue.newBuilder()
          .setValue(ByteString.copyFromUtf8("v1")).setVersion(1).setCreateVersion(1).build().toByteArray());
      db.write(sync, batch);
    }
  }

  /** The format recorded in the directory's identity. */
  int identFormat() throws Exception {
    return StoreIdent.parseFrom(db.get(handle(ColumnFamily.RAFT_META), ascii("ident"))).getFormatVersion();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    options.close();
  }
}
