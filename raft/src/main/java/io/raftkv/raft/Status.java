package io.raftkv.raft;

import io.raftkv.raft.pb.HardState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A point-in-time view of a node; {@code progress} is filled only on the leader and is a copy. */
public record Status(long id, HardState hardState, SoftState softState, long applied,
    Map<Long, Progress> progress) {
  public Status {
    progress = Collections.unmodifiableMap(new LinkedHashMap<>(progress));
  }
}
