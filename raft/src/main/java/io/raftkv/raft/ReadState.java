package io.raftkv.raft;

import com.google.protobuf.ByteString;

/** A read request the leader has confirmed: reads are linearizable once the node has applied {@code index}. */
public record ReadState(long index, ByteString requestContext) {}
