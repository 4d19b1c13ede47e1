package io.raftkv.server.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Deletes staged snapshot files: a received snapshot dropped, or what receives interrupted by a crash left. */
final class StagingFiles {
  private StagingFiles() {}

  /** Deletes what {@code dir} holds, keeping the directory itself (it may be a mount point). */
  static void deleteContents(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.toList()) {
        deleteRecursively(child);
      }
    } catch (IOException e) {
      throw new StorageIoException("cannot list " + dir, e);
    }
  }

  /** Deletes {@code dir} and everything under it; nothing if it does not exist. */
  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new StorageIoException("cannot delete " + dir, e);
    }
  }
}
