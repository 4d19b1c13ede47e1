package io.raftkv.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a directory, to run a node out of disk space for real. Mounting needs root
 * (CI runs as root): elsewhere the calling test is skipped.
 */
public final class SmallDisk implements AutoCloseable {
  private final Path dir;
  private final Path filler;

  private SmallDisk(Path dir) {
    this.dir = dir;
    this.filler = dir.resolve("filler");
  }

  /** Mounts a tmpfs of {@code size} (e.g. "128m") on {@code dir}, created if absent; skips the test if it cannot. */
  public static SmallDisk mount(Path dir, String size) throws IOException, InterruptedException {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    Files.createDirectories(dir);
    Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()) == 0,
        "mount -t tmpfs failed (no CAP_SYS_ADMIN?)");
    return new SmallDisk(dir);
  }

  /** The mounted directory. */
  public Path dir() {
    return dir;
  }

  /** Fills the free space with a file, until the file system answers that no space is left. */
  public void fill() throws IOException {
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
      }
    } catch (IOException full) {
      if (!String.valueOf(full.getMessage()).contains("No space left")) {
        throw full;
      }
    }
  }

  /** Frees what {@link #fill} took. */
  public void free() throws IOException {
    Files.deleteIfExists(filler);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (run("umount", dir.toString()) != 0) {
      run("umount", "-l", dir.toString()); // still held open: detach now, freed when the holder closes it
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
