package io.raftkv.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a try goes: the named leader for leader calls, else the endpoints in turn. */
class LeaderTrackerTest {
  private static final List<String> ENDPOINTS = List.of("a:1", "b:2", "c:3");

  private static List<String> targets(LeaderTracker tracker, boolean leaderOnly, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(tracker.target(leaderOnly));
    }
    return out;
  }

  @Test
  void withNoLeaderKnownTriesGoRoundTheEndpoints() {
    LeaderTracker tracker = new LeaderTracker(ENDPOINTS);
    assertThat(targets(tracker, true, 6)).containsExactly("a:1", "b:2", "c:3", "a:1", "b:2", "c:3");
  }

  @Test
  void leaderCallsRedirectToTheNamedLeaderEvenOutsideTheEndpoints() {
    LeaderTracker tracker = new LeaderTracker(ENDPOINTS);
    tracker.learn(new LeaderNews.At("d:4"));
    assertThat(targets(tracker, true, 3)).containsOnly("d:4");
    assertThat(tracker.leader()).isEqualTo("d:4");
  }

  @Test
  void anyNodeCallsKeepGoingRoundWhileALeaderIsKnown() {
    LeaderTracker tracker = new LeaderTracker(ENDPOINTS);
    tracker.learn(new LeaderNews.At("b:2"));
    assertThat(targets(tracker, false, 3)).containsExactly("a:1", "b:2", "c:3");
  }

  @Test
  void aFailoverSignFallsBackToRoundRobin() {
    LeaderTracker tracker = new LeaderTracker(ENDPOINTS);
    tracker.learn(new LeaderNews.At("c:3"));
    tracker.learn(LeaderNews.UNKNOWN);
    assertThat(tracker.leader()).isNull();
    assertThat(targets(tracker, true, 3)).containsExactly("a:1", "b:2", "c:3");
  }

  @Test
  void newsOfNothingKeepsTheLeader() {
    LeaderTracker tracker = new LeaderTracker(ENDPOINTS);
    tracker.learn(new LeaderNews.At("c:3"));
    tracker.learn(LeaderNews.UNCHANGED);
    assertThat(tracker.target(true)).isEqualTo("c:3");
  }

  @Test
  void aLaterRedirectReplacesTheLeader() {
    LeaderTracker tracker = new LeaderTracker(ENDPOINTS);
    tracker.learn(new LeaderNews.At("a:1"));
    tracker.learn(new LeaderNews.At("b:2"));
    assertThat(tracker.target(true)).isEqualTo("b:2");
  }

  @Test
  void noEndpointsIsRefused() {
    assertThatThrownBy(() -> new LeaderTracker(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no endpoints");
  }
}
