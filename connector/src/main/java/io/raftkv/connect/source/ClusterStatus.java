package io.raftkv.connect.source;

import io.raftkv.api.Error;
import io.raftkv.api.StatusResponse;
import io.raftkv.client.RaftKvClient;
import io.raftkv.client.RaftKvException;
import java.util.ArrayList;
import java.util.List;

/** What the source asks the nodes before it watches: the cluster's id and how far it has applied. */
final class ClusterStatus {
  private ClusterStatus() {}

  /**
   * The status of every endpoint that answers.
   *
   * @throws RaftKvException UNAVAILABLE naming each endpoint's failure if none answers
   */
  static List<StatusResponse> ofEndpoints(RaftKvClient client) {
    List<StatusResponse> answers = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (String endpoint : client.endpoints()) {
      try {
        answers.add(client.status(endpoint));
      } catch (RaftKvException e) {
        failures.add(endpoint + " (" + e.getMessage() + ")");
      }
    }
    if (answers.isEmpty()) {
      throw new RaftKvException(Error.Code.UNAVAILABLE, "no RaftKV node answered: " + String.join(", ", failures));
    }
    return answers;
  }

  /** The cluster id the first answering node reports. */
  static String clusterId(RaftKvClient client) {
    List<String> failures = new ArrayList<>();
    for (String endpoint : client.endpoints()) {
      try {
        return client.status(endpoint).getClusterId();
      } catch (RaftKvException e) {
        failures.add(endpoint + " (" + e.getMessage() + ")");
      }
    }
    throw new RaftKvException(Error.Code.UNAVAILABLE, "no RaftKV node answered: " + String.join(", ", failures));
  }

  /** The highest applied index among the nodes that answer: every change up to it has been applied. */
  static long appliedIndex(RaftKvClient client) {
    return ofEndpoints(client).stream().mapToLong(StatusResponse::getAppliedIndex).max().orElseThrow();
  }
}
