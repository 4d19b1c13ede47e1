package io.raftkv.cli;

import io.raftkv.client.Endpoints;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.UnknownHostException;

/** Checks that a server's own addresses are this host's and that their ports are free, before it starts. */
final class LocalAddresses {
  private LocalAddresses() {}

  /**
   * Checks that the host of {@code address} resolves to an address of this machine.
   *
   * @throws IllegalArgumentException naming {@code option} when it does not resolve or is another host's
   */
  static void checkOwn(String option, String address) {
    String host = Endpoints.host(address);
    InetAddress resolved;
    try {
      resolved = InetAddress.getByName(host.startsWith("[") && host.endsWith("]")
          ? host.substring(1, host.length() - 1) : host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(option + " " + address + ": host '" + host + "' does not resolve");
    }
    boolean own;
    try {
      own = resolved.isAnyLocalAddress() || resolved.isLoopbackAddress()
          || NetworkInterface.getByInetAddress(resolved) != null;
    } catch (SocketException e) {
      own = false;
    }
    if (!own) {
      throw new IllegalArgumentException(option + " " + address + ": '" + host + "' (" + resolved.getHostAddress()
          + ") is not an address of this host; give this machine's own host name or IP address");
    }
  }

  /** Where a server given {@code address} (host:port of this host) listens: that address only. */
  static InetSocketAddress listenAddress(String address) {
    return new InetSocketAddress(Endpoints.host(address), Endpoints.port(address));
  }

  /**
   * Checks that {@code address} can be listened on (exactly there, as the server does), by binding it and
   * letting it go at once.
   *
   * @throws CannotStartException naming {@code option} when another process holds the port
   */
  static void checkFree(String option, String address) {
    int port = Endpoints.port(address);
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(listenAddress(address));
    } catch (IOException e) {
      throw new CannotStartException(option + " " + address + ": port " + port + " is in use on this host ("
          + e.getMessage() + "); stop what listens on it or give another port", e);
    }
  }
}
