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
}
