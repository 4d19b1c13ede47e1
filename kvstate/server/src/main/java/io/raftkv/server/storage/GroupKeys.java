package io.raftkv.server.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys of one raft group in the store's column families: the only place that builds them.
 *
 * <p>Every per-group key starts with the group id, 8 bytes big-endian, so one group's keys in a family
 * are one contiguous range ({@link #start()} to {@link #end()}) that can be scanned, cleared and shipped
 * in a snapshot without touching another group's. In each family the rest is what a store of one group
 * used to write: the raft log {@code group + index}; raft metadata {@code group + name} ("hard_state",
 * "apply_state", ...); client sessions {@code group + 'h' + client} and {@code group + 'r' + client +
 * sequence}; the change feed {@code group + 'e' + index + sub-sequence} and {@code group + 'm'} for its
 * state. That rest is the group-relative key, the form in which snapshots and backups carry the sessions
 * and the feed ({@link #relative}, {@link #stored}), so they travel between stores whatever group the
 * state belongs to on either side.
 *
 * <p>The fixed keys (metadata names, bounds) are built once and shared: callers hand them to RocksDB,
 * which copies them, and never change them. Keys with numbers in them are built into one array each.
 *
 * <p>User keys in the data family carry no prefix, as in TiKV: groups split the user key space by key
 * range, so a user key belongs to exactly one group without saying so, and the read and write path of
 * user data pays nothing for there being groups. The store-wide identity ({@link Keys#IDENT}) is not
 * per group either.
 */
public final class GroupKeys {
  /** The group a store of one group hosts, and the one a format-1 data directory's state moves into. */
  public static final long FIRST_GROUP_ID = 1;
  /** Length of the group prefix of every per-group key. */
  public static final int PREFIX_BYTES = 8;

  private static final byte SESSION_HEADER = 'h';
  private static final byte SESSION_RESPONSE = 'r';
  private static final byte FEED_EVENT = 'e';
  private static final byte FEED_STATE_TAG = 'm';
  private static final byte AUTH = 'a';
  private static final byte AUTH_FLAG = 'f';
  private static final byte AUTH_ROLE = 'r';
  private static final byte AUTH_USER = 'u';

  private final long groupId;
  private final byte[] start;
  private final byte[] end;
  private final byte[] hardState;
  private final byte[] confState;
  private final byte[] truncatedState;
  private final byte[] applyState;
  private final byte[] members;
  private final byte[] snapshotInstall;
  private final byte[] feedState;
  private final byte[] feedEventsEnd;
  private final byte[] sessionHeadersStart;
  private final byte[] sessionHeadersEnd;
  private final byte[] authStart;
  private final byte[] authEnd;
  private final byte[] authFlag;

  public GroupKeys(long groupId) {
    if (groupId <= 0 || groupId == Long.MAX_VALUE) {
      throw new IllegalArgumentException("group id " + groupId + " is out of range; a group id is 1.."
          + (Long.MAX_VALUE - 1));
    }
    this.groupId = groupId;
    this.start = Keys.u64(groupId);
    this.end = Keys.u64(groupId + 1);
    this.hardState = prefixed(ascii("hard_state"));
    this.confState = prefixed(ascii("conf_state"));
    this.truncatedState = prefixed(ascii("truncated_state"));
    this.applyState = prefixed(ascii("apply_state"));
    this.members = prefixed(ascii("members"));
    this.snapshotInstall = prefixed(ascii("snapshot_install"));
    this.feedState = prefixed(new byte[] {FEED_STATE_TAG});
    this.feedEventsEnd = prefixed(new byte[] {FEED_EVENT + 1});
    this.sessionHeadersStart = prefixed(new byte[] {SESSION_HEADER});
    this.sessionHeadersEnd = prefixed(new byte[] {SESSION_HEADER + 1});
    this.authStart = prefixed(new byte[] {AUTH});
    this.authEnd = prefixed(new byte[] {AUTH + 1});
    this.authFlag = prefixed(new byte[] {AUTH, AUTH_FLAG});
  }

  /** The keys of group {@link #FIRST_GROUP_ID}. */
  public static GroupKeys firstGroup() {
    return new GroupKeys(FIRST_GROUP_ID);
  }

  public long groupId() {
    return groupId;
  }

  /** The first key of this group in any family. */
  public byte[] start() {
    return start.clone();
  }

  /** The first key after every key of this group in any family (the next group's start). */
  public byte[] end() {
    return end.clone();
  }

  /** Whether {@code key} is one of this group's keys. */
  public boolean owns(byte[] key) {
    return key.length >= PREFIX_BYTES && Arrays.equals(key, 0, PREFIX_BYTES, start, 0, PREFIX_BYTES);
  }

  // ------------------------------------------------------------------ raft metadata

  public byte[] hardState() {
    return hardState;
  }

  public byte[] confState() {
    return confState;
  }

  public byte[] truncatedState() {
    return truncatedState;
  }

  public byte[] applyState() {
    return applyState;
  }

  public byte[] members() {
    return members;
  }

  /** A snapshot install in progress (SnapshotInstall); absent when none is. */
  public byte[] snapshotInstall() {
    return snapshotInstall;
  }

  // ------------------------------------------------------------------ raft log

  /** Key of the raft log entry at {@code index}. */
  public byte[] logEntry(long index) {
    byte[] key = new byte[PREFIX_BYTES + 8];
    System.arraycopy(start, 0, key, 0, PREFIX_BYTES);
    Keys.putU64(key, PREFIX_BYTES, index);
    return key;
  }

  /** The index of a {@link #logEntry} key of this group. */
  public long logIndexOf(byte[] key) {
    if (key.length != PREFIX_BYTES + 8 || !owns(key)) {
      throw new IllegalArgumentException("expected a " + (PREFIX_BYTES + 8) + "-byte raft log key of group "
          + groupId + ", got " + key.length + " bytes");
    }
    return Keys.getU64(key, PREFIX_BYTES);
  }

  // ------------------------------------------------------------------ client sessions

  /** Key of a client's session header. */
  public byte[] sessionHeader(long clientId) {
    byte[] key = new byte[PREFIX_BYTES + 9];
    System.arraycopy(start, 0, key, 0, PREFIX_BYTES);
    key[PREFIX_BYTES] = SESSION_HEADER;
    Keys.putU64(key, PREFIX_BYTES + 1, clientId);
    return key;
  }

  /** The first session header key. */
  public byte[] sessionHeadersStart() {
    return sessionHeadersStart;
  }

  /** The first key after every session header. */
  public byte[] sessionHeadersEnd() {
    return sessionHeadersEnd;
  }

  /** Key of one stored answer of a client; all answers of a client share a prefix, in sequence order. */
  public byte[] sessionResponse(long clientId, long sequence) {
    byte[] key = new byte[PREFIX_BYTES + 17];
    System.arraycopy(start, 0, key, 0, PREFIX_BYTES);
    key[PREFIX_BYTES] = SESSION_RESPONSE;
    Keys.putU64(key, PREFIX_BYTES + 1, clientId);
    Keys.putU64(key, PREFIX_BYTES + 9, sequence);
    return key;
  }

  /** The first key after every answer of {@code clientId}. */
  public byte[] sessionResponsesEnd(long clientId) {
    return clientId == -1L ? prefixed(new byte[] {SESSION_RESPONSE + 1}) : sessionResponse(clientId + 1, 0);
  }

  /** The client id of a session header or answer key. */
  public long sessionClientOf(byte[] key) {
    return Keys.getU64(key, PREFIX_BYTES + 1);
  }

  /** The sequence of a session answer key. */
  public long sessionSequenceOf(byte[] responseKey) {
    return Keys.getU64(responseKey, PREFIX_BYTES + 9);
  }

  // ------------------------------------------------------------------ users, roles, auth flag

  /*
   * Auth records live in the sessions family under their own tag ('a'), beside the session headers ('h')
   * and answers ('r'): they are replicated state of the group that snapshots, backups and restores carry
   * with the sessions, with no new family for every one of them to learn.
   */

  /** The first auth record key (in the sessions family). */
  public byte[] authStart() {
    return authStart;
  }

  /** The first key after every auth record. */
  public byte[] authEnd() {
    return authEnd;
  }

  /** Key of the explicit auth flag (AuthFlag). */
  public byte[] authFlag() {
    return authFlag;
  }

  /** Key of a user's record (StoredUser). */
  public byte[] authUser(String name) {
    return authNamed(AUTH_USER, name);
  }

  /** Key of a role's record (StoredRole). */
  public byte[] authRole(String name) {
    return authNamed(AUTH_ROLE, name);
  }

  /** Whether an auth record key is a user's ('u'), a role's ('r') or the flag ('f'): the byte after the tag. */
  public byte authKindOf(byte[] authKey) {
    return authKey.length > PREFIX_BYTES + 1 ? authKey[PREFIX_BYTES + 1] : 0;
  }

  /** The kind byte of user records, as {@link #authKindOf} returns it. */
  public static byte authUserKind() {
    return AUTH_USER;
  }

  /** The kind byte of role records, as {@link #authKindOf} returns it. */
  public static byte authRoleKind() {
    return AUTH_ROLE;
  }

  /** The kind byte of the flag, as {@link #authKindOf} returns it. */
  public static byte authFlagKind() {
    return AUTH_FLAG;
  }

  private byte[] authNamed(byte kind, String name) {
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    byte[] rest = new byte[2 + utf8.length];
    rest[0] = AUTH;
    rest[1] = kind;
    System.arraycopy(utf8, 0, rest, 2, utf8.length);
    return prefixed(rest);
  }

  // ------------------------------------------------------------------ change feed

  /** Key of a change feed event: the index and the sub-sequence, big-endian so they sort. */
  public byte[] feedEvent(long index, int subSequence) {
    byte[] key = new byte[PREFIX_BYTES + 13];
    System.arraycopy(start, 0, key, 0, PREFIX_BYTES);
    key[PREFIX_BYTES] = FEED_EVENT;
    Keys.putU64(key, PREFIX_BYTES + 1, index);
    key[PREFIX_BYTES + 9] = (byte) (subSequence >>> 24);
    key[PREFIX_BYTES + 10] = (byte) (subSequence >>> 16);
    key[PREFIX_BYTES + 11] = (byte) (subSequence >>> 8);
    key[PREFIX_BYTES + 12] = (byte) subSequence;
    return key;
  }

  /** The first key after every change feed event. */
  public byte[] feedEventsEnd() {
    return feedEventsEnd;
  }

  /** Key of the change feed's FeedState; sorts after every event key. */
  public byte[] feedState() {
    return feedState;
  }

  // ------------------------------------------------------------------ snapshots and backups

  /** The group-relative form of one of this group's keys: what snapshots and backups carry. */
  public byte[] relative(byte[] storedKey) {
    if (!owns(storedKey)) {
      throw new IllegalArgumentException("key of " + storedKey.length + " bytes is not in group " + groupId);
    }
    return Arrays.copyOfRange(storedKey, PREFIX_BYTES, storedKey.length);
  }

  /** The stored form of a group-relative key (as received in a snapshot or a backup). */
  public byte[] stored(byte[] relativeKey) {
    return prefixed(relativeKey);
  }

  private byte[] prefixed(byte[] rest) {
    byte[] key = new byte[PREFIX_BYTES + rest.length];
    System.arraycopy(start, 0, key, 0, PREFIX_BYTES);
    System.arraycopy(rest, 0, key, PREFIX_BYTES, rest.length);
    return key;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public String toString() {
    return "group " + groupId;
  }
}
