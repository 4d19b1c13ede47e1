package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.raftkv.api.Error;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.ScanResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Requests and answers near the documented size limits travel whole through the client and gRPC. */
class ClientLimitsTest {
  @TempDir
  Path root;

  private static Op put(String key, int valueBytes) {
    return Op.newBuilder().setPut(PutOp.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFrom(new byte[valueBytes]))).build();
  }

  @Test
  void writesUpToTheLimitApplyAndLargeScansComeInPagesUnderTheByteBound() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      try (RaftKvClient client = cluster.connectClient()) {
        // Seven 1 MiB values in one atomic write: over gRPC's default 4 MiB message, under the 8 MiB limit.
        List<Op> big = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
          big.add(put("big/" + i, 1 << 20));
        }
        assertThat(client.write(big).getApplied()).isTrue();

        List<Op> tooBig = new ArrayList<>(big);
        tooBig.add(put("big/7", 1 << 20));
        tooBig.add(put("big/8", 1 << 20));
        assertThatThrownBy(() -> client.write(tooBig))
            .isInstanceOfSatisfying(RaftKvException.class,
                e -> assertThat(e.code()).isEqualTo(Error.Code.INVALID_ARGUMENT))
            .hasMessageContaining("at most 8388608");

        // A scan asking for every key gets about 4 MiB per page and the rest on the next pages.
        ScanResponse first = client.scan(ScanRequest.newBuilder().setPrefix(ByteString.copyFromUtf8("big/"))
            .setLimit(100).build());
        assertThat(first.getKvsCount()).isBetween(1, 5);
        assertThat(first.getMore()).isTrue();
        int seen = first.getKvsCount();
        ScanResponse page = first;
        while (page.getMore()) {
          page = client.scan(ScanRequest.newBuilder().setPrefix(ByteString.copyFromUtf8("big/"))
              .setStart(page.getNextStart()).setLimit(100).build());
          seen += page.getKvsCount();
        }
        assertThat(seen).isEqualTo(7);
      }
    }
  }
}
