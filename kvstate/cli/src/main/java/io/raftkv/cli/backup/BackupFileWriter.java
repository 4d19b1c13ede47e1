package io.raftkv.cli.backup;

import io.raftkv.api.BackupChunk;
import io.raftkv.api.BackupFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.LinkOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes a backup file: into a new owner-only temporary file of a random name beside the target, checking the chunks as they come, then
 * fsynced and renamed onto the target in one step, so the target is a whole, verified backup or absent.
 */
public final class BackupFileWriter implements AutoCloseable {
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final OutputStream out;
  private final ChunkVerifier verifier = new ChunkVerifier();
  private long bytes;
  private boolean done;

  private BackupFileWriter(Path target, Path temp, FileChannel channel) {
    this.target = target;
    this.temp = temp;
    this.channel = channel;
    this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
  }

  /**
   * Starts writing a backup that will become {@code target}.
   *
   * @throws IllegalArgumentException if {@code target} exists (unless {@code replace}) or its directory
   *     does not
   */
  public static BackupFileWriter create(Path target, boolean replace) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    if (Files.isDirectory(absolute)) {
      throw new IllegalArgumentException("--out " + target + " is a directory; give a file name");
    }
    if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS) && !replace) {
      throw new IllegalArgumentException("--out " + target + " exists; give a new file name, or --force to"
          + " replace it");
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--out " + target + ": the directory " + dir + " does not exist");
    }
    Path temp;
    FileChannel channel;
    try {
      // A new file of an unpredictable name (created exclusively, so never through a planted link), readable by
      // the owner only whatever the umask: a backup holds every key and value.
      temp = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
          ? Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".partial", OWNER_ONLY)
          : Files.createTempFile(dir, "." + absolute.getFileName() + ".", ".partial");
    } catch (IOException e) {
      throw new IllegalArgumentException("--out " + target + ": cannot create a file in " + dir + ": "
          + e.getMessage(), e);
    }
    try {
      channel = FileChannel.open(temp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      BackupFileWriter writer = new BackupFileWriter(absolute, temp, channel);
      writer.writeRaw(BackupFormat.MAGIC);
      writer.writeRaw(ByteBuffer.allocate(4).putInt(BackupFormat.VERSION).array());
      return writer;
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // the first failure is the one to report
      }
      throw new IllegalArgumentException("--out " + target + ": cannot write " + temp + ": " + e.getMessage(), e);
    }
  }

  /**
   * Appends the next chunk.
   *
   * @throws IllegalArgumentException if it does not fit where it comes (order, format, checksum)
   */
  public void write(BackupChunk chunk) {
    byte[] serialized = chunk.toByteArray();
    verifier.accept(chunk, serialized);
    try {
      int length = serialized.length;
      while ((length & ~0x7F) != 0) {
        out.write((length & 0x7F) | 0x80);
        bytes++;
        length >>>= 7;
      }
      out.write(length);
      bytes++;
      writeRaw(serialized);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + temp + " failed: " + e.getMessage(), e);
    }
  }

  private void writeRaw(byte[] data) throws IOException {
    out.write(data);
    bytes += data.length;
  }

  /**
   * Ends the file once the trailer was written: fsyncs it, renames it onto the target and fsyncs the
   * directory.
   *
   * @throws IllegalArgumentException if no trailer came
   */
  public BackupSummary commit() {
    BackupSummary summary = new BackupSummary(verifier.header(), verifier.trailer(), bytes);
    try {
      out.flush();
      channel.force(true);
      channel.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("finishing " + target + " failed: " + e.getMessage(), e);
    }
    done = true;
    return summary;
  }

  /** Deletes the temporary file unless {@link #commit()} succeeded. */
  @Override
  public void close() {
    if (done) {
      return;
    }
    try {
      channel.close();
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the partial backup " + temp + ": " + e.getMessage(), e);
    }
  }
}
