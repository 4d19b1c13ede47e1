package io.raftkv.cli;

import io.raftkv.api.BackupHeader;
import io.raftkv.api.Member;
import io.raftkv.cli.backup.BackupFileReader;
import io.raftkv.cli.backup.BackupSummary;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** raftkv backup-info: what a backup file holds, after verifying all of it. */
@Command(name = "backup-info", mixinStandardHelpOptions = true,
    description = {"Verify a backup file (magic bytes, format version, every record, the SHA-256 checksum) and"
        + " print its header; writes nothing. Exit 2 if the file is missing, foreign, of another format,"
        + " truncated or corrupt."})
final class BackupInfoCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "The backup file.")
  Path file;

  @Override
  public Integer call() {
    BackupSummary s = BackupFileReader.verify(file);
    BackupHeader h = s.header();
    System.out.println("file:            " + file);
    System.out.println("format version:  " + h.getFormatVersion());
    System.out.println("cluster id:      " + h.getClusterId());
    System.out.println("applied index:   " + h.getAppliedIndex());
    System.out.println("applied term:    " + h.getAppliedTerm());
    System.out.println("created at:      " + Instant.ofEpochMilli(h.getCreatedAtMs()));
    System.out.println("taken on node:   " + h.getSourceNodeId());
    for (Member m : h.getMembersList()) {
      System.out.println("member:          " + m.getId() + " peer " + m.getPeerAddress()
          + (m.getClientAddress().isEmpty() ? "" : " client " + m.getClientAddress()) + (m.getLearner() ? " (learner)" : ""));
    }
    System.out.println("keys:            " + s.trailer().getDataKeys());
    System.out.println("entries:         " + s.trailer().getEntries() + " (data, sessions and change feed)");
    System.out.println("bytes:           " + s.bytes());
    System.out.println("sha-256:         " + HexFormat.of().formatHex(s.trailer().getSha256().toByteArray()) + " OK");
    return ExitCodes.OK;
  }
}
