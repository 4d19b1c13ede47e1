package io.raftkv.server.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.server.statemachine.pb.StoredValue;
import org.junit.jupiter.api.Test;

/** The apply path's cache of recent records: bounded by bytes, least recently used out first. */
class ValueCacheTest {
  private static ByteString key(int i) {
    return ByteString.copyFromUtf8("key-" + i);
  }

  private static StoredValue record(int valueBytes, long version) {
    return StoredValue.newBuilder().setValue(ByteString.copyFrom(new byte[valueBytes])).setVersion(version).build();
  }

  @Test
  void staysWithinItsByteBoundByEvictingTheLeastRecentlyUsed() {
    ValueCache cache = new ValueCache(10_000);
    for (int i = 0; i < 100; i++) {
      cache.put(key(i), record(1_000, i));
      cache.get(key(0)); // key 0 stays in use
    }
    assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
    assertThat(cache.size()).isBetween(2, 9);
    assertThat(cache.get(key(0)).getVersion()).isZero();
    assertThat(cache.get(key(99)).getVersion()).isEqualTo(99);
    assertThat(cache.get(key(50))).isNull();
  }

  @Test
  void replacingARecordAccountsForTheNewSizeOnly() {
    ValueCache cache = new ValueCache(1 << 20);
    cache.put(key(1), record(1_000, 1));
    long one = cache.bytes();
    cache.put(key(1), record(10, 2));
    assertThat(cache.bytes()).isEqualTo(one - 990);
    cache.put(key(1), ApplyBatch.ABSENT);
    assertThat(cache.get(key(1))).isSameAs(ApplyBatch.ABSENT);
    cache.clear();
    assertThat(cache.bytes()).isZero();
    assertThat(cache.get(key(1))).isNull();
  }
}
