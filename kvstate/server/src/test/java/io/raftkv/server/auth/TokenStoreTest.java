package io.raftkv.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Node-local tokens: random, bounded (least recently used go first), expiring after a sliding idle time. */
class TokenStoreTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void aTokenIsUrlSafeBase64Of256BitsAndNamesItsUserAndRevision() {
    TokenStore tokens = new TokenStore(10, Duration.ofMinutes(5), now::get);
    String token = tokens.issue("sink", 7);
    assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(tokens.lookup(token)).isEqualTo(new TokenStore.Holder("sink", 7));
    assertThat(tokens.issue("sink", 7)).isNotEqualTo(token);
  }

  @Test
  void anIdleTokenExpiresButUseKeepsItAlive() {
    TokenStore tokens = new TokenStore(10, Duration.ofSeconds(60), now::get);
    String used = tokens.issue("a", 1);
    String idle = tokens.issue("b", 1);
    now.addAndGet(Duration.ofSeconds(40).toNanos());
    assertThat(tokens.lookup(used)).isNotNull();
    now.addAndGet(Duration.ofSeconds(40).toNanos());
    assertThat(tokens.lookup(used)).isNotNull();
    assertThat(tokens.lookup(idle)).isNull();
  }

  @Test
  void beyondItsCapacityTheLeastRecentlyUsedTokenIsEvicted() {
    TokenStore tokens = new TokenStore(2, Duration.ofMinutes(5), now::get);
    String first = tokens.issue("a", 1);
    String second = tokens.issue("b", 1);
    tokens.lookup(first);
    String third = tokens.issue("c", 1);
    assertThat(tokens.size()).isEqualTo(2);
    assertThat(tokens.lookup(second)).isNull();
    assertThat(tokens.lookup(first)).isNotNull();
    assertThat(tokens.lookup(third)).isNotNull();
  }

  @Test
  void anUnknownTokenIsNobodys() {
    assertThat(new TokenStore(2, Duration.ofMinutes(5), now::get).lookup("made-up")).isNull();
  }
}
