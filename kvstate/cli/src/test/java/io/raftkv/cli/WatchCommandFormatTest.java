package io.raftkv.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.KeyValue;
import org.junit.jupiter.api.Test;

/** How `raftkv watch` prints one change event. */
class WatchCommandFormatTest {
  @Test
  void aBeforeImageWhoseValueTheServerLeftOutIsPrintedAsOmittedNotAsAnEmptyValue() {
    ByteString key = ByteString.copyFromUtf8("k");
    ChangeEvent e = ChangeEvent.newBuilder().setIndex(20).setSubSequence(3).setOp(ChangeEvent.Op.DELETE)
        .setKey(key).setBefore(KeyValue.newBuilder().setKey(key).setVersion(15)).setBeforeOmitted(true).build();
    assertThat(WatchCommand.format(e)).isEqualTo("20.3 DELETE k before=(value omitted)@15");
  }
}
