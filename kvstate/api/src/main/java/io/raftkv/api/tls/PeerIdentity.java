package io.raftkv.api.tls;

import io.grpc.Context;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who is on the other end of a call, as its verified TLS certificate says: a node of a cluster, a user, or
 * nobody (no certificate, or no TLS). {@link PeerIdentityInterceptor} puts it under {@link #CONTEXT_KEY}.
 */
public sealed interface PeerIdentity {
  /** Where a service finds the caller's identity; {@link None} when the interceptor did not run. */
  Context.Key<PeerIdentity> CONTEXT_KEY = Context.keyWithDefault("raftkv-peer-identity", new None());

  /** The longest user name a certificate may carry; RFC 5280 bounds a common name at 64 characters. */
  int MAX_USER_LENGTH = 64;

  /** A cluster member: its certificate carries the node URI. */
  record Node(NodeUri node) implements PeerIdentity {}

  /** A client: its certificate's common name is the user. */
  record User(String name) implements PeerIdentity {}

  /** No certificate was presented (a password user, or a plaintext connection). */
  record None() implements PeerIdentity {}

  /** The caller of the call in progress, as the interceptor found it (None outside an intercepted call). */
  static PeerIdentity current() {
    return CONTEXT_KEY.get();
  }

  /**
   * The identity a verified certificate names: a node if it carries a {@code raftkv://} URI (exactly one), else
   * the user in its common name. Refuses a certificate that names neither, or names more than one node.
   */
  static PeerIdentity of(X509Certificate certificate) {
    List<String> nodeUris = new ArrayList<>();
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          // Type 6 is uniformResourceIdentifier (RFC 5280 GeneralName).
          if (Integer.valueOf(6).equals(name.get(0)) && NodeUri.looksLikeNodeUri(String.valueOf(name.get(1)))) {
            nodeUris.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal()
          + " has unreadable subject alternative names: " + e.getMessage(), e);
    }
    if (nodeUris.size() > 1) {
      throw new IllegalArgumentException("certificate " + certificate.getSubjectX500Principal()
          + " names more than one node: " + nodeUris);
    }
    if (nodeUris.size() == 1) {
      return new Node(NodeUri.parse(nodeUris.get(0)));
    }
    return new User(commonName(certificate));
  }

  private static String commonName(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    List<String> commonNames = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          commonNames.add(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      throw new IllegalArgumentException("certificate subject '" + subject + "' is not a readable name", e);
    }
    if (commonNames.size() != 1) {
      throw new IllegalArgumentException("certificate " + subject + " must carry exactly one common name (the"
          + " user) or a node URI; it has " + commonNames.size() + " common names");
    }
    String user = commonNames.get(0);
    if (user.isBlank() || user.length() > MAX_USER_LENGTH || user.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("certificate " + subject + " names user '" + user + "': a user is 1 to "
          + MAX_USER_LENGTH + " characters without control characters");
    }
    return user;
  }
}
