package io.raftkv.api.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A node URI names one cluster and one positive node id, and nothing else parses as one. */
class NodeUriTest {
  @Test
  void uriReadsBackAsTheSameNode() {
    NodeUri node = new NodeUri("prod-eu_1", 42);
    assertThat(node.uri()).isEqualTo("raftkv://prod-eu_1/node/42");
    assertThat(NodeUri.parse(node.uri())).isEqualTo(node);
  }

  @Test
  void otherSchemesAndShapesAreRefusedNamingTheValue() {
    for (String bad : new String[] {"https://raftkv/node/1", "raftkv://raftkv/node/", "raftkv://raftkv/nodes/1",
        "raftkv://raftkv/node/1/extra", "raftkv:///node/1", "raftkv://raftkv/node/-1", ""}) {
      assertThatThrownBy(() -> NodeUri.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "' is not a node URI");
    }
  }

  @Test
  void nodeIdMustBePositiveAndFitALong() {
    assertThatThrownBy(() -> NodeUri.parse("raftkv://raftkv/node/0"))
        .hasMessageContaining("node id 0").hasMessageContaining("positive");
    assertThatThrownBy(() -> NodeUri.parse("raftkv://raftkv/node/9999999999999999999"))
        .hasMessageContaining("out of range");
  }

  @Test
  void clusterIdOutsideTheRuleIsRefusedNamingIt() {
    for (String bad : new String[] {"a b", "-lead", "a.b", "x".repeat(64), "é"}) {
      assertThatThrownBy(() -> new NodeUri(bad, 1)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cluster id '" + bad + "'")
          .hasMessageContaining(NodeUri.CLUSTER_ID_RULE);
    }
  }

  @Test
  void longHostileValueIsAbbreviatedInTheError() {
    String hostile = "raftkv://" + "a".repeat(10_000);
    assertThatThrownBy(() -> NodeUri.parse(hostile)).message().hasSizeLessThan(200);
  }
}
