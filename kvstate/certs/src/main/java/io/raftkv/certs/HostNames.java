package io.raftkv.certs;

import java.util.regex.Pattern;
import org.bouncycastle.util.IPAddress;

/** Which host names and IP literals may go in a certificate, and which is which. */
public final class HostNames {
  /** A DNS name is at most 253 characters (RFC 1035). */
  public static final int MAX_LENGTH = 253;

  private static final Pattern DNS_NAME = Pattern.compile(
      "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  private HostNames() {}

  /** Whether {@code host} is an IPv4 or IPv6 literal (it goes in an iPAddress name, not a dNSName). */
  public static boolean isIpLiteral(String host) {
    return IPAddress.isValidIPv4(host) || IPAddress.isValidIPv6(host);
  }

  /** Refuses, naming it, a value that is neither an IP literal nor a DNS name. */
  public static String check(String host) {
    if (host == null || host.isEmpty() || host.length() > MAX_LENGTH
        || !(isIpLiteral(host) || DNS_NAME.matcher(host).matches())) {
      throw new IllegalArgumentException("host '" + host + "' is neither an IP address nor a host name (letters,"
          + " digits, '-' and '.', at most " + MAX_LENGTH + " characters)");
    }
    return host;
  }
}
