package io.raftkv.server.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.server.statemachine.pb.StoredValue;
import org.junit.jupiter.api.Test;

/** The cache of recently written records: bounded by bytes, least recently written out first, readable from any thread. */
class ValueCacheTest {
  private static ByteString key(int i) {
    return ByteString.copyFromUtf8("key-" + i);
  }

  private static StoredValue record(int valueBytes, long version) {
    return StoredValue.newBuilder().setValue(ByteString.copyFrom(new byte[valueBytes])).setVersion(version).build();
  }

  @Test
  void staysWithinItsByteBoundByEvictingTheLeastRecentlyWritten() {
    ValueCache cache = new ValueCache(10_000);
    for (int i = 0; i < 100; i++) {
      cache.put(key(i), record(1_000, i));
      cache.put(key(0), record(1_000, i)); // key 0 is written again and again: it stays
    }
    assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
    assertThat(cache.size()).isBetween(2, 9);
    assertThat(cache.get(key(0)).getVersion()).isEqualTo(99);
    assertThat(cache.get(key(99)).getVersion()).isEqualTo(99);
    assertThat(cache.get(key(50))).isNull();
  }

  @Test
  void keysWrittenOverAndOverDoNotGrowTheEvictionOrder() {
    ValueCache cache = new ValueCache(1 << 20);
    for (int round = 0; round < 1_000; round++) {
      for (int i = 0; i < 10; i++) {
        cache.put(key(i), record(10, round));
      }
    }
    assertThat(cache.size()).isEqualTo(10);
    assertThat(cache.orderEntries()).isLessThanOrEqualTo(2 * 10 + 1024 + 1);
    assertThat(cache.get(key(3)).getVersion()).isEqualTo(999);
  }

  @Test
  void readersOnOtherThreadsSeeEachKeysLatestWriteOrNothing() throws Exception {
    ValueCache cache = new ValueCache(64 * 1_200);
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<String> problem = new java.util.concurrent.atomic.AtomicReference<>();
    Thread reader = new Thread(() -> {
      long[] seen = new long[256];
      while (!done.get()) {
        for (int i = 0; i < 256; i++) {
          StoredValue v = cache.get(key(i));
          if (v != null) {
            if (v.getVersion() < seen[i]) {
              problem.set("key " + i + " went back from version " + seen[i] + " to " + v.getVersion());
            }
            seen[i] = v.getVersion();
          }
        }
      }
    });
    reader.start();
    for (int version = 1; version <= 20_000; version++) {
      cache.put(key(version % 256), record(1_000, version));
    }
    done.set(true);
    reader.join();
    assertThat(problem.get()).isNull();
    assertThat(cache.bytes()).isLessThanOrEqualTo(64 * 1_200);
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
