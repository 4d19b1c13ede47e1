package io.raftkv.client;

/** Validation of "host:port" addresses, with messages that name the bad value. */
public final class Endpoints {
  private Endpoints() {}

  /** Returns {@code address} if it is host:port with a port in 1..65535; throws naming it otherwise. */
  public static String check(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("'" + address + "' is not an address: expected host:port");
    }
    String port = address.substring(colon + 1);
    int value;
    try {
      value = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + address + "' has port '" + port + "': expected a number 1-65535");
    }
    if (value < 1 || value > 65535) {
      throw new IllegalArgumentException("'" + address + "' has port " + value + ": expected 1-65535");
    }
    return address;
  }

  public static String host(String address) {
    return check(address).substring(0, address.lastIndexOf(':'));
  }

  public static int port(String address) {
    return Integer.parseInt(check(address).substring(address.lastIndexOf(':') + 1));
  }
}
