package io.raftkv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** Only failures of the storage itself count as storage failures, wherever they are in a cause chain. */
class StorageFailuresTest {
  private static RocksDBException rocks(Status.Code code, String message) {
    return new RocksDBException(message, new Status(code, Status.SubCode.None, message));
  }

  @Test
  void aStorageIoExceptionOrARocksDbIoErrorAnywhereInTheChainIsAStorageFailure() {
    StorageIoException full = new StorageIoException("write failed",
        rocks(Status.Code.IOError, "IO error: No space left on device"));
    assertThat(StorageFailures.isStorageFailure(full)).isTrue();
    assertThat(StorageFailures.isStorageFailure(new IllegalStateException("writing the raft log failed", full)))
        .isTrue();
    assertThat(StorageFailures.describe(new IllegalStateException("wrapper", full))).contains("No space left");
    DataDirectoryException atOpen = new DataDirectoryException(Path.of("d"), "cannot be opened",
        rocks(Status.Code.IOError, "IO error: No space left on device"));
    assertThat(StorageFailures.isStorageFailure(atOpen)).isTrue();
    assertThat(StorageFailures.isStorageFailure(rocks(Status.Code.Corruption, "Corruption: bad block"))).isTrue();
  }

  @Test
  void otherErrorsAndADirectoryHeldByAnotherProcessAreNotStorageFailures() {
    assertThat(StorageFailures.isStorageFailure(new IllegalArgumentException("bad request"))).isFalse();
    assertThat(StorageFailures.isStorageFailure(new IllegalStateException("bug", new NullPointerException())))
        .isFalse();
    assertThat(StorageFailures.isStorageFailure(new DataDirectoryException(Path.of("d"), "belongs to node 2")))
        .isFalse();
    assertThat(StorageFailures.isStorageFailure(new DataDirectoryException(Path.of("d"), "is in use",
        rocks(Status.Code.IOError, "IO error: While lock file: d/LOCK: Resource temporarily unavailable"))))
        .isFalse();
    assertThat(StorageFailures.describe(new IllegalStateException("bug"))).isEqualTo("bug");
  }

  @Test
  void aCycleInACauseChainEnds() {
    IllegalStateException a = new IllegalStateException("a");
    IllegalStateException b = new IllegalStateException("b", a);
    a.initCause(b);
    assertThat(StorageFailures.isStorageFailure(a)).isFalse();
  }
}
