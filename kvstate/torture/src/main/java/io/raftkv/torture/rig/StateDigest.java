package io.raftkv.torture.rig;

import com.google.protobuf.ByteString;
import io.raftkv.api.KeyValue;
import io.raftkv.api.ReadConsistency;
import io.raftkv.api.ScanRequest;
import io.raftkv.api.ScanResponse;
import io.raftkv.client.RaftKvClient;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One node's applied state, from a serializable full scan on that node alone, and its SHA-256. */
record StateDigest(Map<ByteString, ByteString> values, String sha256) {

  static StateDigest of(RigClients clients, String endpoint) {
    Map<ByteString, ByteString> values = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
    try (RaftKvClient one = clients.connect(List.of(endpoint), Duration.ofSeconds(20))) {
      ByteString start = ByteString.EMPTY;
      while (true) {
        ScanResponse page = one.scan(ScanRequest.newBuilder().setStart(start)
            .setConsistency(ReadConsistency.SERIALIZABLE).setLimit(1000).build());
        for (KeyValue kv : page.getKvsList()) {
          values.put(kv.getKey(), kv.getValue());
          // Versions too: replicas that applied the same log agree on them.
          sha.update(kv.toByteArray());
        }
        if (!page.getMore()) {
          break;
        }
        start = page.getNextStart();
      }
    }
    return new StateDigest(values, HexFormat.of().formatHex(sha.digest()));
  }
}
