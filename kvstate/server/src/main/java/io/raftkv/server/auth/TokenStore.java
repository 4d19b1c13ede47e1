package io.raftkv.server.auth;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The tokens this node issued (etcd's "simple" tokens): random, held in memory only, so a token is good on
 * this node alone. Bounded (the least recently used goes first) and each expires after a sliding idle time.
 * A token names its user and the user's revision when issued: the caller drops it once they differ.
 * Thread-safe.
 */
public final class TokenStore {
  /** What a token stands for. */
  public record Holder(String user, long revision) {}

  private static final int TOKEN_BYTES = 32;

  private record Entry(Holder holder, long lastUsedNanos) {}

  private final int capacity;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final SecureRandom random = new SecureRandom();
  private final LinkedHashMap<String, Entry> tokens = new LinkedHashMap<>(16, 0.75f, true);

  public TokenStore(int capacity, Duration ttl, LongSupplier nanoClock) {
    if (capacity < 1 || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("a token store needs a positive capacity and time to live, got " + capacity
          + " and " + ttl);
    }
    this.capacity = capacity;
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
  }

  /** A new token for {@code user} at {@code revision}: 256 random bits, URL-safe base64. */
  public String issue(String user, long revision) {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    long now = nanoClock.getAsLong();
    synchronized (tokens) {
      tokens.put(token, new Entry(new Holder(user, revision), now));
      expire(now);
      Iterator<String> oldest = tokens.keySet().iterator();
      while (tokens.size() > capacity) {
        oldest.next();
        oldest.remove();
      }
    }
    return token;
  }

  /** Who {@code token} stands for, its idle time restarted; null when unknown or expired. */
  public Holder lookup(String token) {
    long now = nanoClock.getAsLong();
    synchronized (tokens) {
      Entry entry = tokens.get(token);
      if (entry == null) {
        return null;
      }
      if (now - entry.lastUsedNanos() > ttlNanos) {
        tokens.remove(token);
        return null;
      }
      tokens.put(token, new Entry(entry.holder(), now));
      return entry.holder();
    }
  }

  /** Forgets {@code token} (its user changed since it was issued). */
  public void drop(String token) {
    synchronized (tokens) {
      tokens.remove(token);
    }
  }

  /** Tokens held now (for tests and metrics). */
  public int size() {
    synchronized (tokens) {
      return tokens.size();
    }
  }

  /** Drops the expired tokens among the least recently used, which sit first in access order. */
  private void expire(long now) {
    for (Iterator<Map.Entry<String, Entry>> it = tokens.entrySet().iterator(); it.hasNext(); ) {
      if (now - it.next().getValue().lastUsedNanos() <= ttlNanos) {
        return;
      }
      it.remove();
    }
  }
}
