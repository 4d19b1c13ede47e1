package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Status;
import io.raftkv.api.Error;
import io.raftkv.api.ErrorTrailers;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Auth failures: a dropped token is renewed once on the same node; refusals of the user are never retried. */
class RetryPolicyAuthTest {
  private static RaftKvException failure(Error.Code code) {
    return new RaftKvException(code, code + " from test");
  }

  @Test
  void aDroppedTokenIsRetriedOnceAtOnceOnTheSameNodeThenGivenUp() {
    for (boolean leaderOnly : List.of(true, false)) {
      RetryPolicy policy = new RetryPolicy(leaderOnly, new Random(42));
      RetryDecision first = policy.decide(failure(Error.Code.INVALID_TOKEN));
      assertThat(first).isEqualTo(new RetryDecision.Retry(0, LeaderNews.UNCHANGED, false));
      assertThat(policy.decide(failure(Error.Code.INVALID_TOKEN))).isEqualTo(RetryDecision.GIVE_UP);
    }
  }

  @Test
  void aDroppedTokenIsRenewedOncePerNodeSinceEachNodeHoldsItsOwn() {
    RetryPolicy policy = new RetryPolicy(true, new Random(42));
    RetryDecision.Retry renew = new RetryDecision.Retry(0, LeaderNews.UNCHANGED, false);
    assertThat(policy.decide(failure(Error.Code.INVALID_TOKEN), "10.0.0.1:7001")).isEqualTo(renew);
    // a redirect to the leader meets that node's stale token too
    assertThat(policy.decide(failure(Error.Code.INVALID_TOKEN), "10.0.0.2:7001")).isEqualTo(renew);
    assertThat(policy.decide(failure(Error.Code.INVALID_TOKEN), "10.0.0.2:7001")).isEqualTo(RetryDecision.GIVE_UP);
  }

  @Test
  void permissionDeniedAndUnauthenticatedAreNeverRetried() {
    for (boolean leaderOnly : List.of(true, false)) {
      for (Error.Code code : List.of(Error.Code.PERMISSION_DENIED, Error.Code.UNAUTHENTICATED)) {
        assertThat(new RetryPolicy(leaderOnly, new Random(42)).decide(failure(code))).as(code + " " + leaderOnly)
            .isEqualTo(RetryDecision.GIVE_UP);
      }
    }
  }

  @Test
  void aStatusWithoutTrailersFromTheCredentialsKeepsItsAuthMeaning() {
    assertThat(ErrorTrailers.fromThrowable(Status.UNAUTHENTICATED.withDescription("wrong password").asException())
        .getCode()).isEqualTo(Error.Code.UNAUTHENTICATED);
    assertThat(ErrorTrailers.fromThrowable(Status.PERMISSION_DENIED.asRuntimeException(new Metadata())).getCode())
        .isEqualTo(Error.Code.PERMISSION_DENIED);
  }
}
