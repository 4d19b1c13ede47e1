package io.raftkv.torture.rig;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.KeyValue;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The change-feed rules the final checks apply, each with a feed that keeps it and one that breaks it. */
class FeedChecksTest {
  private static final ByteString MARKER = b("torture/end");

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static ChangeEvent put(long index, int sub, String key, String value) {
    return ChangeEvent.newBuilder().setIndex(index).setSubSequence(sub).setOp(ChangeEvent.Op.UPDATE)
        .setKey(b(key)).setAfter(KeyValue.newBuilder().setKey(b(key)).setValue(b(value)).setVersion(index)).build();
  }

  private static ChangeEvent delete(long index, String key) {
    return ChangeEvent.newBuilder().setIndex(index).setOp(ChangeEvent.Op.DELETE).setKey(b(key)).build();
  }

  private static List<String> order(List<ChangeEvent> feed) {
    Findings f = new Findings();
    FeedChecks.checkOrder("node 1", feed, f);
    return f.violations();
  }

  @Test
  void aFeedInOrderWithConsecutiveSubSequencesPasses() {
    assertThat(order(List.of(put(3, 0, "a", "1"), put(5, 0, "a", "2"), put(5, 1, "b", "3"), put(9, 0, "c", "4"))))
        .isEmpty();
  }

  @Test
  void aRepeatedEventIsADuplicate() {
    assertThat(order(List.of(put(3, 0, "a", "1"), put(3, 0, "a", "1"))))
        .containsExactly("feed of node 1: 3.0 comes after 3.0 (out of order or a duplicate)");
  }

  @Test
  void anEventBeforeItsPredecessorIsOutOfOrder() {
    assertThat(order(List.of(put(5, 0, "a", "1"), put(4, 0, "a", "2")))).hasSize(1);
  }

  @Test
  void aSkippedSubSequenceIsAGap() {
    assertThat(order(List.of(put(5, 0, "a", "1"), put(5, 2, "b", "2"))))
        .containsExactly("feed of node 1: gap between 5.0 and 5.2");
    assertThat(order(List.of(put(5, 0, "a", "1"), put(6, 1, "b", "2")))).hasSize(1);
  }

  @Test
  void replicasWhoseFeedsDifferAreNamedAtTheFirstDifference() {
    Findings f = new Findings();
    FeedChecks.checkSame("node 1", List.of(put(3, 0, "a", "1"), put(4, 0, "a", "2")), "node 2",
        List.of(put(3, 0, "a", "1"), put(4, 0, "a", "X")), f);
    assertThat(f.violations()).containsExactly("feeds differ at event 1: node 1 has 4.0 UPDATE a=2, node 2 has"
        + " 4.0 UPDATE a=X");
    Findings shorter = new Findings();
    FeedChecks.checkSame("node 1", List.of(put(3, 0, "a", "1")), "node 2", List.of(), shorter);
    assertThat(shorter.violations()).hasSize(1);
  }

  @Test
  void everyAcknowledgedValueAppliedOnceAndNothingElsePasses() {
    Findings f = new Findings();
    FeedChecks.checkValues(List.of(put(3, 0, "a", "v1"), put(4, 0, "a", "v2"), put(5, 0, "torture/end", "end")),
        Map.of(b("v1"), b("a"), b("v2"), b("a"), b("v3"), b("a")), Set.of(b("v1")), MARKER, f);
    assertThat(f.violations()).isEmpty();
  }

  @Test
  void anAcknowledgedValueMissingFromTheFeedIsALostWrite() {
    Findings f = new Findings();
    FeedChecks.checkValues(List.of(put(3, 0, "a", "v1")), Map.of(b("v1"), b("a"), b("v2"), b("b")),
        Set.of(b("v1"), b("v2")), MARKER, f);
    assertThat(f.violations()).containsExactly("acknowledged write of v2 to b is missing from the change feed (lost)");
  }

  @Test
  void aValueAppliedTwiceIsADoubleApplication() {
    Findings f = new Findings();
    FeedChecks.checkValues(List.of(put(3, 0, "a", "v1"), put(7, 0, "a", "v1")), Map.of(b("v1"), b("a")),
        Set.of(b("v1")), MARKER, f);
    assertThat(f.violations()).containsExactly("value v1 applied twice (again at 7.0)");
  }

  @Test
  void aValueNoClientWroteOrWroteToAnotherKeyIsRefused() {
    Findings f = new Findings();
    FeedChecks.checkValues(List.of(put(3, 0, "a", "ghost"), put(4, 0, "b", "v1")), Map.of(b("v1"), b("a")),
        Set.of(), MARKER, f);
    assertThat(f.violations()).containsExactly("value ghost at 3.0 was never written by a client",
        "value v1 was written to a but applied to b");
  }

  @Test
  void replayEndsWithEachKeysLastValueAndForgetsDeletedKeys() {
    assertThat(FeedChecks.replay(List.of(put(3, 0, "a", "1"), put(4, 0, "b", "2"), put(5, 0, "a", "3"),
        delete(6, "b")))).containsExactly(Map.entry(b("a"), b("3")));
  }
}
