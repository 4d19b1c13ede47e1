package io.raftkv.server.storage;

import java.util.List;

/**
 * Which part of each replicated column family (data, sessions, feed) is one group's state, and the form
 * its keys take in snapshots and backups: the unit a snapshot ships, an install replaces and a backup copies.
 *
 * <p>Sessions and feed keys carry the group prefix on disk and travel group-relative, so a snapshot or a
 * backup restores into any group and into stores of either data directory format. User keys travel as
 * they are stored (they have no prefix, see {@link GroupKeys}); a group's user keys are its key range,
 * and while a store hosts one group, that range is every user key.
 */
public final class ReplicatedState {
  /** The column families a snapshot carries: the replicated state, not the raft log or metadata. */
  public static final List<ColumnFamily> FAMILIES = List.of(ColumnFamily.DATA, ColumnFamily.SESSIONS,
      ColumnFamily.FEED);

  /**
   * How snapshots and backups encode the replicated state (a backup header's store_format_version): keys
   * group-relative, in the shapes of data directory format 1. Format 2 put the group id into stored keys
   * only, so this stayed 1, and backups pass between builds of either format.
   */
  public static final int FORMAT_VERSION = 1;

  private final GroupKeys keys;

  public ReplicatedState(GroupKeys keys) {
    this.keys = keys;
  }

  public GroupKeys keys() {
    return keys;
  }

  /** The group's first key in {@code cf}; null where the group's range starts at the family's start. */
  public byte[] lower(ColumnFamily cf) {
    return prefixed(cf) ? keys.start() : null;
  }

  /** The first key in {@code cf} after the group's; null where the group's range runs to the family's end. */
  public byte[] upper(ColumnFamily cf) {
    return prefixed(cf) ? keys.end() : null;
  }

  /** The form in which a snapshot or backup carries {@code storedKey} of {@code cf}. */
  public byte[] toShipped(ColumnFamily cf, byte[] storedKey) {
    return prefixed(cf) ? keys.relative(storedKey) : storedKey;
  }

  /** The stored form of {@code shippedKey} of {@code cf}, as received in a snapshot or a backup. */
  public byte[] toStored(ColumnFamily cf, byte[] shippedKey) {
    return prefixed(cf) ? keys.stored(shippedKey) : shippedKey;
  }

  private static boolean prefixed(ColumnFamily cf) {
    return switch (cf) {
      case SESSIONS, FEED -> true;
      case DATA -> false;
      default -> throw new IllegalArgumentException("column family " + cf + " is not replicated state; it is one of "
          + FAMILIES + " only");
    };
  }
}
