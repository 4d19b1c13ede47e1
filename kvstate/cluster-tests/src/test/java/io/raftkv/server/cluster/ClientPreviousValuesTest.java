package io.raftkv.server.cluster;

import com.google.protobuf.ByteString;
import io.raftkv.api.DeleteOp;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.WriteResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/** Through the client and gRPC: a put answers with the new version only; writes that ask get the replaced values. */
class ClientPreviousValuesTest {
  @TempDir
  Path root;

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void putAnswersWithoutPreviousValueWhileDeleteAndWriteReportIt() throws Exception {
    try (InProcessCluster cluster = InProcessCluster.builder(root, 3).partitionable().start()) {
      try (RaftKvClient client = cluster.connectClient()) {
        WriteResponse first = client.put(b("k"), b("v1"));
        WriteResponse second = client.put(b("k"), b("v2"));
        assertThat(second.getIndex()).isGreaterThan(first.getIndex());
        assertThat(second.getResults(0).getVersion()).isEqualTo(second.getIndex());
        assertThat(second.getResults(0).hasPrevious()).isFalse();
        assertThat(client.putAsync(b("k"), b("v3")).get().getResults(0).hasPrevious()).isFalse();

        WriteResponse withPrevious = client.write(List.of(
            Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("k")).setValue(b("v4"))).build()));
        assertThat(withPrevious.getResults(0).getPrevious().getValue()).isEqualTo(b("v3"));

        WriteResponse without = client.write(List.of(
            Op.newBuilder().setPut(PutOp.newBuilder().setKey(b("k")).setValue(b("v5"))).build()), false);
        assertThat(without.getResults(0).hasPrevious()).isFalse();

        WriteResponse deleted = client.delete(b("k"));
        assertThat(deleted.getResults(0).getPrevious().getValue()).isEqualTo(b("v5"));
        assertThat(client.get(b("k"))).isEmpty();
        assertThat(client.write(List.of(Op.newBuilder().setDelete(DeleteOp.newBuilder().setKey(b("k"))).build()))
            .getResults(0).getPrevious().getVersion()).isZero();
      }
    }
  }
}
