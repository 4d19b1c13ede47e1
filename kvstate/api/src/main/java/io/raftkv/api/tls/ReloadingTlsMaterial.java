package io.raftkv.api.tls;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The key and trust managers of one port (or one client), loaded from checked {@link TlsFiles} and re-read by
 * grpc-util every {@link #RELOAD_PERIOD}, so renewed certificates serve new connections without a restart. A
 * renewed pair is taken once both its certificate and key files have changed; a reload that fails to parse keeps
 * the previous material (grpc-util logs it). Close it to stop the reloads.
 */
public final class ReloadingTlsMaterial implements AutoCloseable {
  /** How often the files are re-read: grpc-util's floor, so a renewal is served within about a minute. */
  public static final Duration RELOAD_PERIOD = Duration.ofMinutes(1);

  private final TlsFiles files;
  private final AdvancedTlsX509KeyManager keyManager;
  private final AdvancedTlsX509TrustManager trustManager;
  private final List<AutoCloseable> reloads;

  private ReloadingTlsMaterial(TlsFiles files, AdvancedTlsX509KeyManager keyManager,
      AdvancedTlsX509TrustManager trustManager, List<AutoCloseable> reloads) {
    this.files = files;
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.reloads = List.copyOf(reloads);
  }

  /**
   * Checks the files at {@code now} (naming the file at fault) and loads them; {@code reloader} runs the periodic
   * re-reads and stays the caller's to shut down.
   */
  public static ReloadingTlsMaterial open(TlsFiles files, Instant now, ScheduledExecutorService reloader)
      throws BadTlsFileException {
    files.check(now);
    List<AutoCloseable> reloads = new ArrayList<>();
    try {
      AdvancedTlsX509TrustManager trustManager = AdvancedTlsX509TrustManager.newBuilder()
          .setVerification(Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
          .setSslSocketAndEnginePeerVerifier(new Tls13Only())
          .build();
      reloads.add(trustManager.updateTrustCredentials(files.trustedCa().toFile(), RELOAD_PERIOD.toSeconds(),
          TimeUnit.SECONDS, reloader));
      AdvancedTlsX509KeyManager keyManager = null;
      if (files.hasIdentity()) {
        keyManager = new AdvancedTlsX509KeyManager();
        reloads.add(keyManager.updateIdentityCredentials(files.certChain().toFile(), files.privateKey().toFile(),
            RELOAD_PERIOD.toSeconds(), TimeUnit.SECONDS, reloader));
      }
      return new ReloadingTlsMaterial(files, keyManager, trustManager, reloads);
    } catch (IOException | GeneralSecurityException e) {
      // The files passed the check a moment ago: they changed in between, or grpc-util reads them differently.
      reloads.forEach(ReloadingTlsMaterial::closeQuietly);
      throw new BadTlsFileException(files.hasIdentity() ? files.certChain() : files.trustedCa(), "TLS material",
          "passed the check but could not be loaded (" + e.getMessage() + ")", e);
    }
  }

  /** The files this material is read from. */
  public TlsFiles files() {
    return files;
  }

  /** The certificate and key this side presents; empty for a client without a certificate of its own. */
  public Optional<AdvancedTlsX509KeyManager> keyManager() {
    return Optional.ofNullable(keyManager);
  }

  /** Checks the other side's certificate against the trusted CA, over TLS 1.3 only. */
  public AdvancedTlsX509TrustManager trustManager() {
    return trustManager;
  }

  @Override
  public void close() {
    reloads.forEach(ReloadingTlsMaterial::closeQuietly);
  }

  private static void closeQuietly(AutoCloseable reload) {
    try {
      reload.close();
    } catch (Exception e) {
      // Cancelling a scheduled re-read cannot fail in grpc-util; nothing to undo if it did.
    }
  }
}
