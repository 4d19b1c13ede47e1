package io.raftkv.server.peer;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftkv.api.Member;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.GroupKeys;
import io.raftkv.server.storage.StorageEngine;
import io.raftkv.server.storage.StorageIoException;
import io.raftkv.server.storage.pb.MemberList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** The group's members and their addresses, as applied from the log (loop thread only). */
final class MemberDirectory {
  private final StorageEngine engine;
  private final GroupKeys keys;
  private final TreeMap<Long, Member> members = new TreeMap<>();

  MemberDirectory(StorageEngine engine, GroupKeys keys) {
    this.engine = engine;
    this.keys = keys;
    byte[] stored = engine.get(ColumnFamily.RAFT_META, keys.members());
    if (stored != null) {
      try {
        MemberList.parseFrom(stored).getMembersList().forEach(m -> members.put(m.getId(), m));
      } catch (InvalidProtocolBufferException e) {
        throw new DataDirectoryException(engine.directory(), "member list is corrupt", e);
      }
    }
  }

  Member get(long id) {
    return members.get(id);
  }

  List<Member> all() {
    return List.copyOf(members.values());
  }

  Map<Long, Member> asMap() {
    return Map.copyOf(members);
  }

  void put(Member m) {
    members.put(m.getId(), m);
  }

  /** Fills in a member's client address when the log did not carry one (founding members). */
  void learnClientAddress(long id, String clientAddress) {
    Member m = members.get(id);
    if (m != null && m.getClientAddress().isEmpty()) {
      members.put(id, m.toBuilder().setClientAddress(clientAddress).build());
    }
  }

  void remove(long id) {
    members.remove(id);
  }

  void replaceAll(List<Member> list) {
    members.clear();
    list.forEach(m -> members.put(m.getId(), m));
  }

  void stage(WriteBatch batch) {
    try {
      batch.put(engine.handle(ColumnFamily.RAFT_META), keys.members(),
          MemberList.newBuilder().addAllMembers(new ArrayList<>(members.values())).build().toByteArray());
    } catch (RocksDBException e) {
      throw new StorageIoException("staging the member list failed", e);
    }
  }
}
