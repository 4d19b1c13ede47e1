package io.raftkv.server.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Readys reach the disk in order, a snapshot install waits for the Readys before it, a failure stops the rest. */
class ReadyWriterTest {
  private static final long WAIT_SECONDS = 30;
  private final BlockingQueue<String> persisted = new LinkedBlockingQueue<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final ReadyWriter<String> writer =
      new ReadyWriter<>("test-persist", 4, persisted::add, failures::incrementAndGet);

  @AfterEach
  void close() {
    writer.close();
  }

  private String next() throws InterruptedException {
    String r = persisted.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(r).as("a Ready persisted within %d s", WAIT_SECONDS).isNotNull();
    return r;
  }

  @Test
  void aReadyAloneIsWrittenOnTheCallersThread() {
    List<String> threads = new ArrayList<>();
    assertThat(writer.submit("a", false, () -> threads.add(Thread.currentThread().getName()))).isTrue();
    assertThat(threads).containsExactly(Thread.currentThread().getName());
    writer.persisted("a");
    assertThat(writer.inFlight()).isZero();
  }

  @Test
  void completionsComeBackInReadyOrderEvenWhenSubmittedQuickly() throws InterruptedException {
    writer.submit("a", false, () -> { });
    CountDownLatch release = new CountDownLatch(1);
    List<String> written = Collections.synchronizedList(new ArrayList<>());
    assertThat(writer.submit("b", false, () -> {
      await(release);
      written.add("b");
    })).isFalse();
    assertThat(writer.submit("c", false, () -> written.add("c"))).isFalse();
    assertThat(writer.submit("d", false, () -> written.add("d"))).isFalse();
    assertThat(writer.hasRoom()).isFalse();
    release.countDown();
    assertThat(List.of(next(), next(), next())).containsExactly("b", "c", "d");
    assertThat(written).containsExactly("b", "c", "d");
    assertThatThrownBy(() -> writer.persisted("b")).hasMessageContaining("out of order");
    for (String r : List.of("a", "b", "c", "d")) {
      writer.persisted(r);
    }
    assertThat(writer.hasRoom()).isTrue();
  }

  @Test
  void aFailureIsReportedOnceAndStopsLaterWrites() {
    writer.submit("a", false, () -> { });
    CountDownLatch release = new CountDownLatch(1);
    RuntimeException diskFull = new RuntimeException("disk full");
    AtomicInteger laterWrites = new AtomicInteger();
    writer.submit("b", false, () -> {
      await(release);
      throw diskFull;
    });
    writer.submit("c", false, laterWrites::incrementAndGet);
    writer.submit("d", false, () -> {
      laterWrites.incrementAndGet();
      throw new RuntimeException("a second failure");
    });
    release.countDown();
    writer.close(); // waits for the persister to finish its queue
    assertThat(writer.failure()).isSameAs(diskFull);
    assertThat(failures).hasValue(1);
    assertThat(laterWrites).hasValue(0);
    assertThat(persisted).isEmpty();
  }

  @Test
  void aFailingInlineWriteThrowsToTheCaller() {
    assertThatThrownBy(() -> writer.submit("a", false, () -> {
      throw new IllegalStateException("fsync failed");
    })).hasMessageContaining("fsync failed");
  }

  @Test
  void aSnapshotInstallWaitsForTheReadysBeforeItAndNothingIsTakenMeanwhile() throws InterruptedException {
    writer.submit("a", false, () -> { });
    AtomicInteger installs = new AtomicInteger();
    assertThat(writer.submit("snap", true, installs::incrementAndGet)).isFalse();
    assertThat(writer.snapshotInFlight()).isTrue();
    assertThat(writer.hasRoom()).isFalse();
    writer.persisted("a");
    assertThat(installs).as("not installed before the Ready before it is applied").hasValue(0);
    writer.afterApplied();
    assertThat(next()).isEqualTo("snap");
    assertThat(installs).hasValue(1);
    writer.persisted("snap");
    assertThat(writer.snapshotInFlight()).isFalse();
    assertThat(writer.hasRoom()).isTrue();
  }

  @Test
  void aSnapshotAloneIsInstalledOnThePersisterAtOnce() throws InterruptedException {
    List<String> threads = Collections.synchronizedList(new ArrayList<>());
    assertThat(writer.submit("snap", true, () -> threads.add(Thread.currentThread().getName()))).isFalse();
    assertThat(next()).isEqualTo("snap");
    assertThat(threads).containsExactly("test-persist");
  }

  @Test
  void fewerThanOneReadyInFlightIsRefused() {
    assertThatThrownBy(() -> new ReadyWriter<String>("x", 0, r -> { }, () -> { }))
        .hasMessageContaining("max in-flight Readys is 0: expected at least 1");
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the write");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
