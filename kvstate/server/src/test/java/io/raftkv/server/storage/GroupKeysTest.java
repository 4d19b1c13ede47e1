package io.raftkv.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-group key space: every key of a group inside its range, nothing of another group's there. */
class GroupKeysTest {
  private final GroupKeys one = new GroupKeys(1);
  private final GroupKeys two = new GroupKeys(2);

  private static boolean inRange(GroupKeys group, byte[] key) {
    return Arrays.compareUnsigned(key, group.start()) >= 0 && Arrays.compareUnsigned(key, group.end()) < 0;
  }

  private static List<byte[]> everyKindOfKey(GroupKeys g) {
    return List.of(g.hardState(), g.confState(), g.truncatedState(), g.applyState(), g.members(),
        g.snapshotInstall(), g.logEntry(0), g.logEntry(Long.MAX_VALUE), g.sessionHeader(-1L),
        g.sessionResponse(-1L, -1L), g.sessionResponsesEnd(-1L), g.sessionHeadersStart(), g.sessionHeadersEnd(),
        g.feedEvent(Long.MAX_VALUE, -1), g.feedEventsEnd(), g.feedState());
  }

  @Test
  void everyKeyOfAGroupLiesInItsRangeAndOutsideEveryOtherGroups() {
    for (byte[] key : everyKindOfKey(one)) {
      assertThat(inRange(one, key)).as(Arrays.toString(key)).isTrue();
      assertThat(one.owns(key)).isTrue();
      assertThat(inRange(two, key)).isFalse();
      assertThat(two.owns(key)).isFalse();
    }
    assertThat(one.end()).isEqualTo(two.start());
  }

  @Test
  void logKeysSortByIndexAndDecodeBack() {
    assertThat(Arrays.compareUnsigned(one.logEntry(255), one.logEntry(256))).isNegative();
    assertThat(one.logIndexOf(one.logEntry(123_456_789L))).isEqualTo(123_456_789L);
    assertThatThrownBy(() -> one.logIndexOf(two.logEntry(5))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("raft log key of group 1");
  }

  @Test
  void feedEventsSortByIndexThenSubSequenceAndBeforeTheFeedState() {
    assertThat(Arrays.compareUnsigned(one.feedEvent(7, 300), one.feedEvent(8, 0))).isNegative();
    assertThat(Arrays.compareUnsigned(one.feedEvent(8, 0), one.feedEvent(8, 1))).isNegative();
    assertThat(Arrays.compareUnsigned(one.feedEvent(-1L, -1), one.feedEventsEnd())).isNegative();
    assertThat(Arrays.compareUnsigned(one.feedEventsEnd(), one.feedState())).isNegative();
  }

  @Test
  void sessionKeysNameTheirClientAndSequenceAndAClientsAnswersEndBeforeTheNextClients() {
    assertThat(one.sessionClientOf(one.sessionHeader(42))).isEqualTo(42);
    assertThat(one.sessionClientOf(one.sessionResponse(42, 9))).isEqualTo(42);
    assertThat(one.sessionSequenceOf(one.sessionResponse(42, 9))).isEqualTo(9);
    assertThat(Arrays.compareUnsigned(one.sessionResponse(42, -1L), one.sessionResponsesEnd(42))).isNegative();
    assertThat(Arrays.compareUnsigned(one.sessionResponsesEnd(42), one.sessionResponse(43, 0))).isZero();
    assertThat(Arrays.compareUnsigned(one.sessionHeader(-1L), one.sessionHeadersEnd())).isNegative();
  }

  @Test
  void aKeyMovesBetweenGroupsThroughItsGroupRelativeForm() {
    byte[] relative = one.relative(one.sessionResponse(7, 3));
    assertThat(relative).hasSize(17).startsWith((byte) 'r');
    assertThat(two.stored(relative)).isEqualTo(two.sessionResponse(7, 3));
    assertThatThrownBy(() -> two.relative(one.feedState())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not in group 2");
  }

  @Test
  void aGroupIdOutsideOneToMaxMinusOneIsRefused() {
    for (long bad : new long[] {0, -1, Long.MAX_VALUE}) {
      assertThatThrownBy(() -> new GroupKeys(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("group id " + bad + " is out of range; a group id is 1..");
    }
  }
}
