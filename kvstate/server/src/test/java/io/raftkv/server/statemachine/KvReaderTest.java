package io.raftkv.server.statemachine;

import static io.raftkv.server.testing.Ops.b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.ScanResponse;
import io.raftkv.server.statemachine.pb.StoredValue;
import io.raftkv.server.storage.ColumnFamily;
import io.raftkv.server.storage.DataDirectoryException;
import io.raftkv.server.storage.StorageEngine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** The read path over real RocksDB: the value cache in front of the data column family, bounded scan pages. */
class KvReaderTest {
  @TempDir
  Path dir;

  private StorageEngine engine;
  private ValueCache cache;
  private KvReader reader;

  @BeforeEach
  void open() {
    engine = StorageEngine.open(dir, "c1", 1);
    cache = new ValueCache(1 << 20);
    reader = new KvReader(engine, cache);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private static StoredValue record(ByteString value, long version) {
    return StoredValue.newBuilder().setValue(value).setVersion(version).setCreateVersion(version).build();
  }

  private void storeRaw(String key, byte[] bytes) {
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(engine.handle(ColumnFamily.DATA), key.getBytes(), bytes);
      engine.write(batch, false);
    } catch (RocksDBException e) {
      throw new AssertionError(e);
    }
  }

  private void store(String key, ByteString value, long version) {
    storeRaw(key, record(value, version).toByteArray());
  }

  @Test
  void aCachedRecordOrAbsenceAnswersBeforeRocksDbAndAMissIsReadThroughIntoTheCache() {
    store("a", b("disk"), 1);
    store("gone", b("disk"), 1);
    cache.put(b("a"), record(b("cached"), 2));
    cache.put(b("gone"), ApplyBatch.ABSENT); // deleted by a round written after RocksDB was read

    assertThat(reader.get(b("a")).getValue()).isEqualTo(b("cached"));
    assertThat(reader.get(b("gone"))).isNull();
    assertThat(reader.getAll(List.of(b("gone"), b("a"), b("none"))))
        .containsExactly(null, KeyValue.newBuilder().setKey(b("a")).setValue(b("cached")).setVersion(2)
            .setCreateVersion(2).build(), null);

    store("b", b("disk"), 3);
    assertThat(cache.get(b("b"))).isNull();
    assertThat(reader.readThrough(b("b")).getValue()).isEqualTo(b("disk"));
    assertThat(cache.get(b("b"))).isEqualTo(record(b("disk"), 3));
    assertThat(reader.readThrough(b("none"))).isNull();
    assertThat(cache.get(b("none"))).isSameAs(ApplyBatch.ABSENT);
  }

  @Test
  void aScanPageStopsAtItsByteBoundHoweverManyKeysItAskedFor() {
    ByteString mib = ByteString.copyFrom(new byte[1 << 20]);
    for (int i = 0; i < 6; i++) {
      store("k" + i, mib, i + 1);
    }
    ScanResponse page = reader.scan(b("k"), ByteString.EMPTY, 100, false);
    assertThat(page.getKvsCount()).isEqualTo(4); // 4 MiB of values reach the bound of one page
    assertThat(page.getMore()).isTrue();
    assertThat(page.getNextStart()).isEqualTo(b("k4"));

    ScanResponse keysOnly = reader.scan(b("k"), ByteString.EMPTY, 100, true);
    assertThat(keysOnly.getKvsCount()).isEqualTo(6); // keys alone are far below it
    assertThat(keysOnly.getMore()).isFalse();
    assertThat(keysOnly.getKvs(5).getVersion()).isEqualTo(6);
    assertThat(keysOnly.getKvs(5).getValue()).isEmpty();
  }

  @Test
  void aCorruptStoredRecordIsReportedAsACorruptDataDirectory() {
    storeRaw("bad", new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
    assertThatThrownBy(() -> reader.get(b("bad")))
        .isInstanceOf(DataDirectoryException.class).hasMessageContaining("stored value is corrupt");
  }
}
