package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.raftkv.cli.backup.BackupDownload;
import io.raftkv.cli.backup.BackupFileException;
import io.raftkv.cli.backup.BackupFileReader;
import io.raftkv.client.RaftKvClient;
import io.raftkv.testkit.InProcessCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Bad backup files, data directories and flags: each refused with exit 2 and a message naming the bad
 * value and what is allowed, with nothing written. The good file comes from a real one-node cluster.
 */
class BackupBadInputTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path shared;
  static Path good;
  static byte[] goodBytes;

  @TempDir
  Path dir;

  private record Result(int code, String out, String err) {}

  @BeforeAll
  static void takeABackup() throws Exception {
    good = shared.resolve("good.rkvb");
    try (InProcessCluster cluster = InProcessCluster.builder(shared.resolve("source"), 1)
        .clusterId("raftkv").foundingPeersOnly().start();
        RaftKvClient client = RaftKvClient.connect(cluster.clientAddresses(), WAIT)) {
      cluster.awaitLeader(WAIT);
      for (int i = 0; i < 20; i++) {
        client.put(ByteString.copyFromUtf8("key-" + i), ByteString.copyFromUtf8("value-" + i));
      }
      BackupDownload.run(client, good, false, WAIT);
    }
    goodBytes = Files.readAllBytes(good);
  }

  private static synchronized Result run(String... args) {
    CommandLine cli = RaftKvCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = cli.execute(args);
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(stdout);
    }
  }

  private Path write(String name, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, content);
    return file;
  }

  private Result restore(Path file, Path dataDir) {
    return run("restore", "--from", file.toString(), "--data-dir", dataDir.toString(), "--id", "1",
        "--peers", "1=127.0.0.1:20001,2=127.0.0.1:20002,3=127.0.0.1:20003");
  }

  /** The names in {@code dir}: a failed restore must leave exactly what was there. */
  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void backupInfoPrintsTheHeaderOfAVerifiedBackup() {
    Result r = run("backup-info", good.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("cluster id:      raftkv").contains("keys:            20")
        .containsPattern("applied index:   [1-9]").containsPattern("sha-256:         [0-9a-f]{64} OK");
  }

  /** Verifies {@code content} as the file {@code name} would be verified, without writing it. */
  private static void verify(Path name, byte[] content) throws IOException {
    BackupFileReader.read(name, new java.io.ByteArrayInputStream(content), batch -> { });
  }

  @Test
  void theGoodBackupVerifies() throws IOException {
    verify(good, goodBytes);
  }

  @Test
  void everyFlippedByteIsRefused() {
    Path name = dir.resolve("flipped.rkvb");
    for (int at = 0; at < goodBytes.length; at++) {
      for (int mask : new int[] {0x01, 0x80, 0xFF}) {
        byte[] bad = goodBytes.clone();
        bad[at] ^= (byte) mask;
        int position = at;
        assertThatThrownBy(() -> verify(name, bad)).as("byte %d flipped with %x", position, mask)
            .isInstanceOf(BackupFileException.class).hasMessageStartingWith("backup file " + name + ": ");
      }
    }
  }

  @Test
  void everyTruncationIsRefusedAsTruncated() {
    Path name = dir.resolve("cut.rkvb");
    for (int length = 0; length < goodBytes.length; length++) {
      byte[] cut = java.util.Arrays.copyOf(goodBytes, length);
      int at = length;
      assertThatThrownBy(() -> verify(name, cut)).as("cut at %d", at)
          .isInstanceOf(BackupFileException.class).hasMessageContaining("truncated");
    }
  }

  /** A file holding just {@code header} after a good prelude. */
  private static byte[] fileWithHeader(io.raftkv.api.BackupHeader header) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(goodBytes, 0, 12);
    io.raftkv.api.BackupChunk.newBuilder().setHeader(header).build().writeDelimitedTo(out);
    return out.toByteArray();
  }

  @Test
  void aHeaderOfAFutureBackupFormatOrDataDirectoryFormatIsRefused() throws IOException {
    io.raftkv.api.BackupHeader current = BackupFileReader.verify(good).header();
    Path name = dir.resolve("future.rkvb");
    assertThatThrownBy(() -> verify(name, fileWithHeader(current.toBuilder().setFormatVersion(2).build())))
        .isInstanceOf(BackupFileException.class)
        .hasMessageContaining("its header says format version 2; this raftkv reads format 1 only");
    assertThatThrownBy(() -> verify(name, fileWithHeader(current.toBuilder().setStoreFormatVersion(9).build())))
        .isInstanceOf(BackupFileException.class)
        .hasMessageContaining("its state is in data directory format 9; this raftkv reads format 1 only");
  }

  @Test
  void aRecordLengthOverTheLimitOrMalformedIsRefusedAsCorrupt() throws IOException {
    byte[] prelude = java.util.Arrays.copyOf(goodBytes, 12);
    byte[] huge = java.util.Arrays.copyOf(prelude, 16);
    System.arraycopy(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x40}, 0, huge, 12, 4); // 128 MiB
    Path tooLong = write("huge.rkvb", huge);
    assertThatThrownBy(() -> BackupFileReader.verify(tooLong)).isInstanceOf(BackupFileException.class)
        .hasMessageContaining("record 1 claims 134217728 bytes; records are at most 67108864 bytes (the file is corrupt)");
    byte[] endless = java.util.Arrays.copyOf(prelude, 18);
    java.util.Arrays.fill(endless, 12, 18, (byte) 0xFF);
    Path malformed = write("endless.rkvb", endless);
    assertThatThrownBy(() -> BackupFileReader.verify(malformed)).isInstanceOf(BackupFileException.class)
        .hasMessageContaining("record 1 has a malformed length (the file is corrupt)");
  }

  @Test
  void restoreRefusesACorruptFileAndLeavesNoDirectoryBehind() throws IOException {
    byte[] bad = goodBytes.clone();
    bad[bad.length / 2] ^= 0x01;
    Path file = write("corrupt.rkvb", bad);
    List<String> before = listing(dir);
    Result r = restore(file, dir.resolve("data"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("backup file " + file).contains("corrupt");
    assertThat(listing(dir)).isEqualTo(before);
    assertThat(run("backup-info", file.toString()).code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void restoreRefusesATruncatedFileAndLeavesNoDirectoryBehind() throws IOException {
    Path file = write("cut.rkvb", java.util.Arrays.copyOf(goodBytes, goodBytes.length - 10));
    List<String> before = listing(dir);
    Result r = restore(file, dir.resolve("data"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("backup file " + file).contains("truncated");
    assertThat(listing(dir)).isEqualTo(before);
  }

  @Test
  void restoreRefusesAFileThatIsNotABackup() throws IOException {
    Path file = write("notes.txt", "id,name\n1,alice\n".getBytes(StandardCharsets.UTF_8));
    Result r = restore(file, dir.resolve("data"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("backup file " + file + ": is not a RaftKV backup: it does not start with the"
        + " bytes 'RAFTKVBK'");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void restoreRefusesABackupOfAFutureFormatVersion() throws IOException {
    byte[] future = goodBytes.clone();
    ByteBuffer.wrap(future, 8, 4).putInt(2);
    Path file = write("future.rkvb", future);
    Result r = restore(file, dir.resolve("data"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("is in backup format version 2; this raftkv reads format 1 only");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void restoreRefusesAMissingFile() {
    Path file = dir.resolve("nowhere.rkvb");
    Result r = restore(file, dir.resolve("data"));
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("backup file " + file + ": does not exist");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void restoreRefusesANonEmptyDataDirectoryAndLeavesItAlone() throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("precious.txt"), "keep me");
    Result r = restore(good, data);
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--data-dir " + data + " is not empty (it holds 1 entries)")
        .contains("restore writes only into a new or empty directory");
    assertThat(listing(data)).containsExactly("precious.txt");
    assertThat(listing(dir)).containsExactly("data");
  }

  @Test
  void restoreRefusesTheDataDirectoryOfARunningNode() throws Exception {
    try (InProcessCluster running = InProcessCluster.builder(dir.resolve("running"), 1)
        .clusterId("raftkv").foundingPeersOnly().start()) {
      Result r = restore(good, running.dataDir(1));
      assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err()).contains("--data-dir " + running.dataDir(1) + " is not empty")
          .contains("RocksDB's LOCK file: a node may be running on it");
      assertThat(running.server(1).node().isRunning()).isTrue();
    }
  }

  @Test
  void restoreRefusesPeersThatDoNotListTheNode() {
    Result r = run("restore", "--from", good.toString(), "--data-dir", dir.resolve("data").toString(), "--id", "4",
        "--peers", "1=127.0.0.1:20001,2=127.0.0.1:20002,3=127.0.0.1:20003");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--peers 1=127.0.0.1:20001,2=127.0.0.1:20002,3=127.0.0.1:20003 does not list this"
        + " node (--id 4)");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void restoreRefusesAMalformedPeersEntry() {
    Result r = run("restore", "--from", good.toString(), "--data-dir", dir.resolve("data").toString(), "--id", "1",
        "--peers", "1=127.0.0.1:20001,two");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--peers entry 'two': expected ID=HOST:PORT");
    assertThat(dir.resolve("data")).doesNotExist();
  }

  @Test
  void backupRefusesToReplaceAnExistingFileWithoutForce() throws IOException {
    Path existing = write("existing.rkvb", "old".getBytes(StandardCharsets.UTF_8));
    Result r = run("backup", "--out", existing.toString(), "--endpoints", "127.0.0.1:20001", "--timeout", "1s", "--insecure");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--out " + existing + " exists; give a new file name, or --force to replace it");
    assertThat(Files.readString(existing)).isEqualTo("old");
  }

  @Test
  void backupNamesAMissingOutputDirectory() {
    Path out = dir.resolve("no-such-dir").resolve("b.rkvb");
    Result r = run("backup", "--out", out.toString(), "--endpoints", "127.0.0.1:20001", "--timeout", "1s", "--insecure");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--out " + out + ": the directory " + dir.resolve("no-such-dir") + " does not exist");
  }

  @Test
  void aBackupRestoredIntoAnEmptyDirectoryServesItsKeys() throws Exception {
    InProcessCluster single = InProcessCluster.builder(dir.resolve("restored"), 1)
        .clusterId("raftkv").foundingPeersOnly().create();
    Files.createDirectories(single.dataDir(1));
    Result r = run("restore", "--from", good.toString(), "--data-dir", single.dataDir(1).toString(), "--id", "1",
        "--peers", single.peers());
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(listing(dir.resolve("restored"))).containsExactly("node-1");
    try (InProcessCluster started = single.startAll();
        RaftKvClient client = RaftKvClient.connect(started.clientAddresses(), WAIT)) {
      started.awaitLeader(WAIT);
      assertThat(client.get(ByteString.copyFromUtf8("key-19")).orElseThrow().getValue().toStringUtf8())
          .isEqualTo("value-19");
    }
  }

  @Test
  void theTemporaryBackupFileIsNewOwnerOnlyUnpredictableAndNeverFollowsALink() throws Exception {
    Path target = dir.resolve("b.rkvb");
    Path victim = dir.resolve("victim");
    Files.writeString(victim, "keep");
    // The name the writer used to take (pid-based), planted as a link to another file.
    Files.createSymbolicLink(dir.resolve(".b.rkvb.partial-" + ProcessHandle.current().pid()), victim);
    try (io.raftkv.cli.backup.BackupFileWriter first = io.raftkv.cli.backup.BackupFileWriter.create(target, false);
        io.raftkv.cli.backup.BackupFileWriter second = io.raftkv.cli.backup.BackupFileWriter.create(target, false)) {
      List<Path> partial;
      try (Stream<Path> files = Files.list(dir)) {
        partial = files.filter(p -> p.getFileName().toString().endsWith(".partial")).toList();
      }
      assertThat(partial).hasSize(2);
      for (Path p : partial) {
        assertThat(Files.isSymbolicLink(p)).isFalse();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
            .isEqualTo("rw-------");
      }
    }
    assertThat(Files.readString(victim)).isEqualTo("keep");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".partial"))).isEmpty();
    }
    assertThat(target).doesNotExist();
  }

  @Test
  void aBackupFileIsReadableByItsOwnerOnly() throws Exception {
    Path out = dir.resolve("owner-only.rkvb");
    try (InProcessCluster cluster = InProcessCluster.builder(dir.resolve("src"), 1)
        .clusterId("raftkv").foundingPeersOnly().start();
        RaftKvClient client = RaftKvClient.connect(cluster.clientAddresses(), WAIT)) {
      cluster.awaitLeader(WAIT);
      client.put(ByteString.copyFromUtf8("k"), ByteString.copyFromUtf8("v"));
      BackupDownload.run(client, out, false, WAIT);
    }
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
        .isEqualTo("rw-------");
    BackupFileReader.verify(out);
  }
}
