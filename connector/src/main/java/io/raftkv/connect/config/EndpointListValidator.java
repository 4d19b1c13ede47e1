package io.raftkv.connect.config;

import io.raftkv.client.RaftKvClient;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Accepts a non-empty comma-separated list of host:port addresses with ports 1-65535. */
public final class EndpointListValidator implements ConfigDef.Validator {
  @Override
  public void ensureValid(String name, Object value) {
    if (value == null) {
      throw new ConfigException(name, null, "list the RaftKV nodes' client addresses as host:port,host:port");
    }
    List<String> endpoints;
    try {
      endpoints = RaftKvClient.parseEndpoints(value.toString());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name, value, e.getMessage());
    }
    if (endpoints.isEmpty()) {
      throw new ConfigException(name, value, "no address given: list the RaftKV nodes' client addresses as "
          + "host:port,host:port");
    }
  }

  @Override
  public String toString() {
    return "host:port[,host:port...]";
  }
}
