package io.raftkv.cli;

import io.raftkv.api.tls.BadTlsFileException;
import io.raftkv.api.tls.NodeUri;
import io.raftkv.api.tls.TlsFiles;
import io.raftkv.server.service.ServerSecurity;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * raftkv server's TLS flags: the certificates of the client port and the peer port (the peer ones default to the
 * client ones, as `raftkv certs init` makes one certificate per node for both), or --insecure for plaintext.
 */
final class ServerTlsOptions {
  /** The keys a --config file may set for TLS. */
  static final List<String> KEYS = List.of("cert", "key", "trusted-ca", "peer-cert", "peer-key", "peer-trusted-ca",
      "insecure");

  @Option(names = "--cert", paramLabel = "FILE", description = "This node's certificate (PEM) on the client port.")
  String cert;

  @Option(names = "--key", paramLabel = "FILE", description = "The private key (PKCS#8 PEM) of --cert.")
  String key;

  @Option(names = "--trusted-ca", paramLabel = "FILE",
      description = "The CA (PEM) a client certificate must chain to on the client port.")
  String trustedCa;

  @Option(names = "--peer-cert", paramLabel = "FILE", description = "This node's certificate on the peer port and"
      + " when dialling peers; it must name this node (raftkv://CLUSTER/node/ID). Default: --cert.")
  String peerCert;

  @Option(names = "--peer-key", paramLabel = "FILE", description = "The private key of --peer-cert. Default: --key.")
  String peerKey;

  @Option(names = "--peer-trusted-ca", paramLabel = "FILE",
      description = "The CA every peer's certificate must chain to. Default: --trusted-ca.")
  String peerTrustedCa;

  @Option(names = "--insecure", description = "Serve both ports in plaintext, trusting whoever connects. Only for"
      + " a cluster no untrusted party can reach; TLS is the default.")
  Boolean insecure;

  /**
   * The node's port security: TLS from the files, each checked (a bad one refused naming it), the peer certificate
   * naming {@code self}; or plaintext under --insecure.
   *
   * @throws IllegalArgumentException naming the flag or file at fault and what is expected
   */
  ServerSecurity open(ServerSettings settings, Supplier<NodeUri> self) {
    if (settings.bool("insecure", insecure)) {
      for (String name : KEYS.subList(0, KEYS.size() - 1)) {
        if (settings.given(name, flag(name))) {
          throw new IllegalArgumentException(settings.origin("insecure", insecure == null ? null : "")
              + " and " + settings.origin(name, flag(name)) + " exclude each other: --insecure serves plaintext");
        }
      }
      return ServerSecurity.plaintext();
    }
    if (!settings.given("cert", cert) || !settings.given("key", key) || !settings.given("trusted-ca", trustedCa)) {
      throw new IllegalArgumentException("--cert, --key and --trusted-ca are required: a node serves TLS unless told"
          + " --insecure. Make a CA and node certificates with 'raftkv certs init --dir DIR --nodes N', or pass"
          + " --insecure to serve plaintext (anyone who reaches the ports can then read and rewrite the cluster)");
    }
    TlsFiles client = new TlsFiles(path(settings, "cert", cert, null), path(settings, "key", key, null),
        path(settings, "trusted-ca", trustedCa, null));
    TlsFiles peer = new TlsFiles(path(settings, "peer-cert", peerCert, client.certChain()),
        path(settings, "peer-key", peerKey, client.privateKey()),
        path(settings, "peer-trusted-ca", peerTrustedCa, client.trustedCa()));
    try {
      return ServerSecurity.tls(peer, client, self.get());
    } catch (BadTlsFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private String flag(String name) {
    return switch (name) {
      case "cert" -> cert;
      case "key" -> key;
      case "trusted-ca" -> trustedCa;
      case "peer-cert" -> peerCert;
      case "peer-key" -> peerKey;
      case "peer-trusted-ca" -> peerTrustedCa;
      default -> throw new IllegalArgumentException("no TLS flag --" + name);
    };
  }

  private static Path path(ServerSettings settings, String name, String flag, Path fallback) {
    if (!settings.given(name, flag)) {
      return fallback;
    }
    return Path.of(settings.text(name, flag, null));
  }
}
