package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import org.junit.jupiter.api.Test;

/** One channel per endpoint, all shut down on close. */
class ChannelsTest {
  @Test
  void oneChannelPerEndpointAllShutDownOnClose() {
    ManagedChannel a;
    ManagedChannel b;
    try (Channels channels = new Channels()) {
      a = channels.to("127.0.0.1:1");
      b = channels.to("127.0.0.1:2");
      assertThat(channels.to("127.0.0.1:1")).isSameAs(a);
      assertThat(b).isNotSameAs(a);
    }
    assertThat(a.isShutdown()).isTrue();
    assertThat(b.isShutdown()).isTrue();
  }

  @Test
  void anEndpointAfterCloseGetsAFreshChannel() {
    Channels channels = new Channels();
    ManagedChannel first = channels.to("127.0.0.1:1");
    channels.close();
    ManagedChannel second = channels.to("127.0.0.1:1");
    assertThat(second).isNotSameAs(first);
    channels.close();
    assertThat(second.isShutdown()).isTrue();
  }
}
