package io.raftkv.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftkv.api.Error;
import io.raftkv.server.node.NodeException;
import io.raftkv.server.node.OverloadLimits;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class AdmissionControlTest {
  private static AdmissionControl control(int writes, long bytes, int reads) {
    return new AdmissionControl(2, OverloadLimits.DEFAULT.withWrites(writes, bytes).withPendingReads(reads));
  }

  @Test
  void writesPastTheCountBoundAreRefusedWithAMessageNamingTheBound() {
    AdmissionControl admission = control(2, 1L << 20, 10);
    assertThat(admission.admitWrite(100)).isNull();
    assertThat(admission.admitWrite(100)).isNull();
    NodeException refused = admission.admitWrite(100);
    assertThat(refused).isNotNull();
    assertThat(refused.error().getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.error().getMessage())
        .isEqualTo("node 2 has 2 writes (0.0 MiB) in flight; at most 2 / 1 MiB: retry later");
    assertThat(admission.writesInFlight()).isEqualTo(2);
    assertThat(admission.writeBytesInFlight()).isEqualTo(200);
  }

  @Test
  void writesPastTheByteBoundAreRefusedButOneLargeWriteAloneIsAdmitted() {
    AdmissionControl admission = control(100, 1000, 10);
    assertThat(admission.admitWrite(5000)).as("alone, even over the byte bound").isNull();
    assertThat(admission.admitWrite(1)).as("bytes already past the bound").isNotNull();
    CompletableFuture<String> done = new CompletableFuture<>();
    admission.releaseWriteWhenDone(done, 5000);
    done.complete("ok");
    assertThat(admission.admitWrite(600)).isNull();
    assertThat(admission.admitWrite(400)).isNull();
    NodeException refused = admission.admitWrite(1);
    assertThat(refused).isNotNull();
    assertThat(refused.error().getMessage()).contains("2 writes").contains("at most 100 / ");
  }

  @Test
  void anAdmittedWriteIsReleasedOnSuccessFailureAndCancel() {
    AdmissionControl admission = control(3, 1L << 20, 10);
    CompletableFuture<String> ok = new CompletableFuture<>();
    CompletableFuture<String> failed = new CompletableFuture<>();
    CompletableFuture<String> cancelled = new CompletableFuture<>();
    for (CompletableFuture<String> f : java.util.List.of(ok, failed, cancelled)) {
      assertThat(admission.admitWrite(10)).isNull();
      admission.releaseWriteWhenDone(f, 10);
    }
    assertThat(admission.admitWrite(10)).isNotNull();

    ok.complete("done");
    assertThat(admission.writesInFlight()).isEqualTo(2);
    failed.completeExceptionally(new IllegalStateException("boom"));
    assertThat(admission.writesInFlight()).isEqualTo(1);
    cancelled.cancel(false);
    assertThat(admission.writesInFlight()).isZero();
    assertThat(admission.writeBytesInFlight()).isZero();
    assertThat(admission.admitWrite(10)).isNull();
  }

  @Test
  void readsPastTheBoundAreRefusedAndReleasedHoweverTheyEnd() {
    AdmissionControl admission = control(10, 1L << 20, 5);
    CompletableFuture<Long> batch = new CompletableFuture<>();
    assertThat(admission.admitReads(4)).isNull();
    admission.releaseReadsWhenDone(batch, 4);
    NodeException refused = admission.admitReads(2);
    assertThat(refused).isNotNull();
    assertThat(refused.error().getCode()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.error().getMessage()).isEqualTo("node 2 has 4 reads pending; at most 5: retry later");
    assertThat(admission.admitReads(1)).isNull();
    admission.releaseReadsWhenDone(CompletableFuture.failedFuture(new IllegalStateException()), 1);
    assertThat(admission.readsPending()).isEqualTo(4);
    batch.cancel(false);
    assertThat(admission.readsPending()).isZero();
  }
}
