package io.raftkv.cli.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.raftkv.api.ChangeEvent;
import io.raftkv.api.FeedPosition;
import io.raftkv.api.KeyValue;
import io.raftkv.api.Op;
import io.raftkv.api.PutOp;
import io.raftkv.api.WriteRequest;
import io.raftkv.api.WriteResponse;
import io.raftkv.cli.RaftKvCli;
import io.raftkv.client.RaftKvClient;
import io.raftkv.server.feed.FeedPage;
import io.raftkv.server.service.RaftKvServer;
import io.raftkv.testkit.InProcessCluster;
import io.raftkv.api.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup of a running 3-node cluster taken while writes go on, restored into three fresh directories:
 * the new cluster holds every write acknowledged before the backup started with its version, its change
 * feed and client sessions, and takes new writes.
 */
class BackupRestoreClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  @Test
  void aRestoredClusterHoldsEveryWriteAcknowledgedBeforeTheBackupAndKeepsSessions() throws Exception {
    Path backup = dir.resolve("cluster.rkvb");
    Map<ByteString, KeyValue> acknowledged = new ConcurrentHashMap<>();
    WriteRequest sessionWrite = WriteRequest.newBuilder().setClientId(4242).setSequence(1)
        .addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(bytes("session-key")).setValue(bytes("once"))))
        .build();
    WriteResponse firstAnswer;
    long writesAround;
    try (InProcessCluster old = InProcessCluster.builder(dir.resolve("old"), 3)
        .clusterId("prod").foundingPeersOnly().tls().start();
        RaftKvClient client = old.clientBuilder(old.clientAddresses()).deadline(WAIT).build()) {
      old.awaitLeader(WAIT);
      // Enough state that streaming it takes a while: 3 batches of 1,000 keys of 1 KiB.
      for (int batch = 0; batch < 3; batch++) {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
          ops.add(Op.newBuilder().setPut(PutOp.newBuilder().setKey(bytes("bulk/" + batch + "/" + i))
              .setValue(ByteString.copyFrom(new byte[1024]))).build());
        }
        client.write(ops);
      }
      for (int i = 0; i < 200; i++) {
        ByteString key = bytes("before/" + i);
        WriteResponse w = client.put(key, bytes("value-" + i));
        acknowledged.put(key, KeyValue.newBuilder().setKey(key).setValue(bytes("value-" + i))
            .setVersion(w.getIndex()).setCreateVersion(w.getIndex()).build());
      }
      firstAnswer = writeDirect(sessionWrite, old);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong during = new AtomicLong();
      AtomicLong slowestNanos = new AtomicLong();
      Thread writer = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          long start = System.nanoTime();
          client.put(bytes("during/" + i), bytes("v" + i));
          slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
          during.incrementAndGet();
        }
      });
      writer.start();
      Thread.sleep(100);
      long before = during.get();
      slowestNanos.set(0);
      long backupStart = System.nanoTime();
      // The backup is served by a follower: its ReadIndex barrier must still cover every acknowledged write.
      long leader = old.awaitLeader(WAIT);
      String follower = old.members().get(leader == 1 ? 2L : 1L).getClientAddress();
      TlsFiles admin = old.certificates().orElseThrow().user(InProcessCluster.ADMIN_USER);
      int code = RaftKvCli.run("backup", "--out", backup.toString(), "--endpoints", follower,
          "--cacert", admin.trustedCa().toString(), "--cert", admin.certChain().toString(),
          "--key", admin.privateKey().toString());
      long writesDuringBackup = during.get() - before;
      System.out.printf("backup took %d ms; %d writes acknowledged meanwhile, the slowest in %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - backupStart), writesDuringBackup,
          TimeUnit.NANOSECONDS.toMillis(slowestNanos.get()));
      stop.set(true);
      writer.join(TimeUnit.SECONDS.toMillis(20));
      writesAround = during.get();
      assertThat(code).isEqualTo(0);
    }
    assertThat(writesAround).as("writes acknowledged by the writer running around the backup").isPositive();
    BackupSummary summary = BackupFileReader.verify(backup);
    assertThat(summary.header().getClusterId()).isEqualTo("prod");
    assertThat(summary.trailer().getDataKeys()).isGreaterThanOrEqualTo(3_000 + 200 + 1);

    InProcessCluster restored = InProcessCluster.builder(dir.resolve("new"), 3)
        .clusterId("prod").foundingPeersOnly().tls().create();
    for (long id = 1; id <= 3; id++) {
      assertThat(RaftKvCli.run("restore", "--from", backup.toString(), "--data-dir",
          restored.dataDir(id).toString(), "--id", String.valueOf(id), "--peers", restored.peers())).isEqualTo(0);
    }
    try (InProcessCluster fresh = restored.startAll();
        RaftKvClient client = fresh.clientBuilder(fresh.clientAddresses()).deadline(WAIT).build()) {
      fresh.awaitLeader(WAIT);
      for (KeyValue expected : acknowledged.values()) {
        Optional<KeyValue> got = client.get(expected.getKey());
        assertThat(got).as("key %s", expected.getKey().toStringUtf8()).contains(expected);
      }
      // The change feed came along: each acknowledged write's event is on every restored replica.
      KeyValue sample = acknowledged.get(bytes("before/7"));
      for (RaftKvServer s : fresh.servers()) {
        FeedPage page = s.node().changeFeed().read(FeedPosition.afterEntry(sample.getVersion() - 1),
            sample.getKey(), 10, 1 << 20);
        assertThat(page.events()).extracting(ChangeEvent::getAfter).first().isEqualTo(sample);
      }
      // The session came along: a retry of the acknowledged request gets its first answer, applied once.
      WriteResponse retried = writeDirect(sessionWrite, fresh);
      assertThat(retried).isEqualTo(firstAnswer);
      assertThat(client.get(bytes("session-key")).orElseThrow().getVersion()).isEqualTo(firstAnswer.getIndex());
      // And the new cluster takes writes after the backup's index.
      WriteResponse after = client.put(bytes("after"), bytes("new"));
      assertThat(after.getIndex()).isGreaterThan(summary.header().getAppliedIndex());
      assertThat(client.get(bytes("after")).orElseThrow().getValue()).isEqualTo(bytes("new"));
    }
  }

  /** Sends one write request as is (no client retries with new sequences) to the leader. */
  private static WriteResponse writeDirect(WriteRequest request, InProcessCluster cluster)
      throws InterruptedException {
    return cluster.writeViaLeader(request);
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
