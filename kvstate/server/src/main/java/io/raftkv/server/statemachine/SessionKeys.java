package io.raftkv.server.statemachine;

import io.raftkv.server.storage.Keys;

/**
 * Keys of the sessions column family: a client's session header ({@code 'h' + client id}) and its stored
 * answers ({@code 'r' + client id + sequence}, so all answers of a client share a 9-byte prefix).
 */
final class SessionKeys {
  private SessionKeys() {}

  /** Key of a client's session header. */
  static byte[] header(long clientId) {
    byte[] key = new byte[9];
    key[0] = 'h';
    Keys.putU64(key, 1, clientId);
    return key;
  }

  /** The first key after every session header. */
  static byte[] headersEnd() {
    return new byte[] {'i'};
  }

  /** The first session header key. */
  static byte[] headersStart() {
    return new byte[] {'h'};
  }

  /** Key of one answer of a client. */
  static byte[] response(long clientId, long sequence) {
    byte[] key = new byte[17];
    key[0] = 'r';
    Keys.putU64(key, 1, clientId);
    Keys.putU64(key, 9, sequence);
    return key;
  }

  /** The first key after every answer of {@code clientId}. */
  static byte[] responsesEnd(long clientId) {
    return clientId == -1L ? new byte[] {'s'} : response(clientId + 1, 0);
  }

  /** The client id of a header or answer key. */
  static long clientOf(byte[] key) {
    return Keys.getU64(key, 1);
  }

  /** The sequence of an answer key. */
  static long sequenceOf(byte[] responseKey) {
    return Keys.getU64(responseKey, 9);
  }
}
