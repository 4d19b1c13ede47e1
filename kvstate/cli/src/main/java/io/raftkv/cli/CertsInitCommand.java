package io.raftkv.cli;

import io.raftkv.api.tls.NodeUri;
import io.raftkv.certs.CertificateIssuer;
import io.raftkv.certs.ClusterCertificates;
import io.raftkv.certs.HostNames;
import io.raftkv.certs.Validity;
import io.raftkv.server.node.NodeDefaults;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** raftkv certs init: a CA, a certificate per node and an admin client certificate, in one directory. */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = {"Make a CA, one certificate per node and an 'admin' client certificate in --dir.",
        "Keys are EC P-256, unencrypted PKCS#8 PEM, written 0600; the CA and every certificate are valid for"
            + " --days. A node's certificate serves both of its ports and dials its peers; it names the node as"
            + " the URI raftkv://CLUSTER/node/ID and answers on 127.0.0.1, ::1, localhost, this host's name and"
            + " --hosts. The admin certificate's common name is the user 'admin'.",
        "Keep ca.key away from the nodes: it is only needed to make more certificates."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:written", "2:bad command line, or --dir is not empty and --force is not given",
        "6:cannot write into --dir (permissions, disk full)"})
final class CertsInitCommand implements Callable<Integer> {
  static final int MAX_NODES = 100;
  static final int MAX_DAYS = 3650;
  static final int DEFAULT_DAYS = 365;

  @Spec
  CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Where to write the files.")
  Path dir;

  @Option(names = "--nodes", required = true, paramLabel = "N",
      description = "How many node certificates: node ids 1..N (at most " + MAX_NODES + ").")
  int nodes;

  @Option(names = "--cluster-id", paramLabel = "ID", defaultValue = NodeDefaults.CLUSTER_ID,
      description = "The cluster the node certificates name (default: ${DEFAULT-VALUE}); "
          + NodeUri.CLUSTER_ID_RULE + ".")
  String clusterId;

  @Option(names = "--hosts", split = ",", paramLabel = "HOST",
      description = "More host names or IP addresses the nodes answer on, comma-separated.")
  List<String> hosts = new ArrayList<>();

  @Option(names = "--days", paramLabel = "DAYS", defaultValue = "" + DEFAULT_DAYS,
      description = "How long the CA and the certificates are valid, 1 to " + MAX_DAYS
          + " days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--force", description = "Write into a directory that is not empty, replacing these files.")
  boolean force;

  @Override
  public Integer call() {
    if (nodes < 1 || nodes > MAX_NODES) {
      throw new IllegalArgumentException("--nodes is " + nodes + "; allowed: 1 to " + MAX_NODES);
    }
    if (days < 1 || days > MAX_DAYS) {
      throw new IllegalArgumentException("--days is " + days + "; allowed: 1 to " + MAX_DAYS);
    }
    try {
      new NodeUri(clusterId, 1);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--cluster-id is '" + clusterId + "'; allowed: " + NodeUri.CLUSTER_ID_RULE,
          e);
    }
    List<String> names = nodeHosts();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Path> written;
    try {
      boolean fresh = ClusterCertificates.isFresh(dir);
      if (!fresh && !force) {
        throw new IllegalArgumentException("--dir " + dir + " is not empty; pass --force to replace its"
            + " certificates and keys");
      }
      written = ClusterCertificates.write(
          new ClusterCertificates.Plan(dir, clusterId, nodes, names, Validity.days(Instant.now(), days)),
          new CertificateIssuer(new SecureRandom()));
    } catch (IOException | UnsupportedOperationException e) {
      // UnsupportedOperationException: the file system has no POSIX permissions, so a key cannot be made 0600.
      err.println("raftkv: certs init: cannot write into " + dir + ": " + e);
      err.flush();
      return ExitCodes.CANNOT_START;
    }
    printSummary(out, written, names);
    out.flush();
    return ExitCodes.OK;
  }

  /** The names every node certificate carries: loopback, this host, then --hosts, without repeats. */
  private List<String> nodeHosts() {
    Set<String> names = new LinkedHashSet<>(List.of("127.0.0.1", "::1", "localhost"));
    thisHostName().ifPresent(names::add);
    for (String host : hosts) {
      names.add(HostNames.check(host.trim()));
    }
    return List.copyOf(names);
  }

  private static Optional<String> thisHostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return HostNames.isIpLiteral(name) ? Optional.empty() : Optional.of(HostNames.check(name));
    } catch (UnknownHostException | IllegalArgumentException e) {
      // A host without a resolvable or certificate-safe name: --hosts can still add what it answers on.
      return Optional.empty();
    }
  }

  private void printSummary(PrintWriter out, List<Path> written, List<String> names) {
    out.println("wrote " + written.size() + " files in " + dir + " (cluster '" + clusterId + "', valid " + days
        + " days, node hosts " + String.join(" ", names) + "):");
    for (Path file : written) {
      out.println("  " + file);
    }
    Path ca = ClusterCertificates.caCertificate(dir);
    String nodeCertificate = dir.resolve("node-N.crt").toString();
    String nodeKey = dir.resolve("node-N.key").toString();
    out.println();
    out.println("Pass them on (keep " + ClusterCertificates.caKey(dir) + " off the nodes: it only signs):");
    out.println("  node N:  raftkv server --id N --cert " + nodeCertificate + " --key " + nodeKey
        + " --trusted-ca " + ca + " ...   (the peer port uses them too unless --peer-cert, --peer-key,"
        + " --peer-trusted-ca name others)");
    out.println("  clients: --cacert " + ca + " --cert " + ClusterCertificates.adminCertificate(dir) + " --key "
        + ClusterCertificates.adminKey(dir) + " (as user " + ClusterCertificates.ADMIN_USER + ")");
  }
}
