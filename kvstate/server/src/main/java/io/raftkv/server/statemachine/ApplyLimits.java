package io.raftkv.server.statemachine;

/**
 * Budgets on what applying one committed write may produce besides the write itself, so that no accepted
 * write (e.g. 10,000 compare-and-sets on one 1 MiB key) can make an answer or a change feed entry of
 * gigabytes. Both are counted in value bytes, in operation order, the same way on every replica.
 *
 * @param maxPreviousBytesPerWrite previous values an answer carries at most; past it a result's previous
 *     value is left out ({@code OpResult.previous_omitted}, {@code WriteResponse.previous_truncated})
 * @param maxBeforeBytesPerEntry before-image values the change events of one entry carry at most; past it
 *     an event's before value is left out ({@code ChangeEvent.before_omitted})
 * @param maxRoundBytes an apply round's write batch is written once it holds this many bytes, and the
 *     round goes on in a new one (one entry's output, at most {@link #maxApplyBytesPerWrite}, is never split)
 */
public record ApplyLimits(int maxPreviousBytesPerWrite, int maxBeforeBytesPerEntry, long maxRoundBytes) {
  /** 4 MiB of previous values per answer, 4 MiB of before-images per entry, rounds of 64 MiB. */
  public static final ApplyLimits DEFAULT = new ApplyLimits(4 << 20, 4 << 20, 64L << 20);

  /** Per operation, an upper bound on the bytes of framing its data, event and answer records add. */
  static final long OVERHEAD_PER_OP = 256;

  public ApplyLimits {
    if (maxPreviousBytesPerWrite < 0 || maxBeforeBytesPerEntry < 0 || maxRoundBytes < 1) {
      throw new IllegalArgumentException("apply budgets must be 0 or more (rounds 1 or more): "
          + "maxPreviousBytesPerWrite " + maxPreviousBytesPerWrite + ", maxBeforeBytesPerEntry "
          + maxBeforeBytesPerEntry + ", maxRoundBytes " + maxRoundBytes);
    }
  }

  /**
   * The most bytes one write within {@code limits} adds to the apply batch: its data (at most the write's
   * keys and values), its change events (each carries its key up to three times, the new value and the
   * budgeted before value) and its stored answer (the keys, the budgeted previous values), plus framing.
   * That is 6 x max write bytes + both budgets + 256 bytes per operation: about 58 MiB by default.
   */
  public long maxApplyBytesPerWrite(KvLimits limits) {
    return 6L * limits.maxWriteBytes() + maxPreviousBytesPerWrite + maxBeforeBytesPerEntry
        + OVERHEAD_PER_OP * limits.maxOpsPerWrite();
  }
}
