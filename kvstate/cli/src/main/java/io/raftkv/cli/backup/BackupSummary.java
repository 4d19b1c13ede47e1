package io.raftkv.cli.backup;

import io.raftkv.api.BackupHeader;
import io.raftkv.api.BackupTrailer;

/** What a verified backup holds: its header, its trailer, and its size in bytes. */
public record BackupSummary(BackupHeader header, BackupTrailer trailer, long bytes) {}
