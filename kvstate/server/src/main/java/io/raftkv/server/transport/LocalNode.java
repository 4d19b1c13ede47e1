package io.raftkv.server.transport;

/** Who this transport speaks for: the header every batch it sends carries. */
public record LocalNode(String clusterId, long id, String peerAddress, String clientAddress) {}
