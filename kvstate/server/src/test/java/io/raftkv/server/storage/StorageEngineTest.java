package io.raftkv.server.storage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node refuses a data directory that is not its own, naming the directory and the problem. */
class StorageEngineTest {
  @TempDir
  Path dir;

  @Test
  void refusesADirectoryHeldByAnotherOpenEngine() {
    try (StorageEngine first = StorageEngine.open(dir, "c1", 1)) {
      assertThatThrownBy(() -> StorageEngine.open(dir, "c1", 1))
          .isInstanceOf(DataDirectoryException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("in use by another process");
    }
  }

  @Test
  void refusesADirectoryMadeForAnotherNode() {
    StorageEngine.open(dir, "c1", 1).close();
    assertThatThrownBy(() -> StorageEngine.open(dir, "c1", 2))
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("belongs to node 1, not node 2");
  }

  @Test
  void refusesADirectoryMadeForAnotherCluster() {
    StorageEngine.open(dir, "c1", 1).close();
    assertThatThrownBy(() -> StorageEngine.open(dir, "other", 1))
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("belongs to cluster 'c1', not cluster 'other'");
  }

  @Test
  void refusesAPathThatIsAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> StorageEngine.open(file, "c1", 1))
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not a directory");
  }

  @Test
  void refusesADirectoryWhoseFilesAreGarbage() throws Exception {
    StorageEngine.open(dir, "c1", 1).close();
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().startsWith("MANIFEST") || p.getFileName().toString().equals("CURRENT")) {
          Files.writeString(p, "garbage garbage garbage");
        }
      }
    }
    assertThatThrownBy(() -> StorageEngine.open(dir, "c1", 1))
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void aNonEmptyDirectoryThatIsNotRaftKvsIsRefusedAndLeftAsItWas() throws Exception {
    Path foreign = dir.resolve("foreign");
    Files.createDirectories(foreign.resolve("snapshots"));
    Files.writeString(foreign.resolve("snapshots").resolve("keep.me"), "precious");
    Files.writeString(foreign.resolve("README"), "mine");
    assertThatThrownBy(() -> StorageEngine.open(foreign, "c", 1))
        .isInstanceOf(DataDirectoryException.class)
        .hasMessageContaining("is not empty and is not a RaftKV data directory");
    try (var paths = Files.walk(foreign)) {
      org.assertj.core.api.Assertions.assertThat(paths.map(p -> foreign.relativize(p).toString()))
          .containsExactlyInAnyOrder("", "snapshots", "snapshots/keep.me", "README");
    }
    org.assertj.core.api.Assertions.assertThat(Files.readString(foreign.resolve("snapshots").resolve("keep.me")))
        .isEqualTo("precious");
  }

  @Test
  void anotherRocksDbDatabaseIsNotTakenForADataDirectory() throws Exception {
    Path other = dir.resolve("other-rocksdb");
    try (org.rocksdb.Options o = new org.rocksdb.Options().setCreateIfMissing(true);
        org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, other.toString())) {
      db.put("k".getBytes(), "v".getBytes());
    }
    org.assertj.core.api.Assertions.assertThat(StorageEngine.isDataDirectory(other)).isFalse();
    assertThatThrownBy(() -> StorageEngine.open(other, "c", 1))
        .isInstanceOf(DataDirectoryException.class).hasMessageContaining("is not a RaftKV data directory");
  }

  @Test
  void anEmptyDirectoryIsCreatedAndThenRecognisedAsADataDirectory() throws Exception {
    Path fresh = dir.resolve("fresh");
    Files.createDirectories(fresh);
    org.assertj.core.api.Assertions.assertThat(StorageEngine.isDataDirectory(fresh)).isFalse();
    StorageEngine.open(fresh, "c", 1).close();
    org.assertj.core.api.Assertions.assertThat(StorageEngine.isDataDirectory(fresh)).isTrue();
    StorageEngine.open(fresh, "c", 1).close();
  }
}
