package io.raftkv.cli;

import io.raftkv.api.Member;
import io.raftkv.client.Endpoints;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses a --peers value, "1=host:port,2=host:port": member ids with their peer addresses. */
final class PeerList {
  private PeerList() {}

  /**
   * The members listed, in order; empty for blank text.
   *
   * @throws IllegalArgumentException naming a malformed entry or a repeated id
   */
  static Map<Long, Member> parse(String text) {
    Map<Long, Member> out = new LinkedHashMap<>();
    if (text.isBlank()) {
      return out;
    }
    for (String part : text.split(",")) {
      String entry = part.trim();
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--peers entry '" + entry + "': expected ID=HOST:PORT");
      }
      long peerId;
      try {
        peerId = Long.parseLong(entry.substring(0, eq).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--peers entry '" + entry + "': the id must be a positive number");
      }
      if (peerId <= 0) {
        throw new IllegalArgumentException("--peers entry '" + entry + "': the id must be a positive number");
      }
      String address = Endpoints.check(entry.substring(eq + 1).trim());
      if (out.containsKey(peerId)) {
        throw new IllegalArgumentException("--peers lists node " + peerId + " twice");
      }
      for (Member other : out.values()) {
        if (other.getPeerAddress().equals(address)) {
          throw new IllegalArgumentException("--peers gives nodes " + other.getId() + " and " + peerId
              + " the same address " + address + ": each member needs its own");
        }
      }
      out.put(peerId, Member.newBuilder().setId(peerId).setPeerAddress(address).build());
    }
    return out;
  }
}
