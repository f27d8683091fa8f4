package io.dvr.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TrustedNodesTest {
  static NodeRecord record(String member, long version, Map<String, List<Long>> regs) {
    return new NodeRecord("node-" + member, member, "127.0.0.1", 7000, version, new TreeMap<>(regs));
  }

  @Test
  @DisplayName("a newer record replaces an older one and reports the addresses that changed; a replayed older one changes nothing")
  void versions() {
    TrustedNodes nodes = new TrustedNodes();
    assertThat(nodes.accept(record("m1", 2, Map.of("a", List.of(1L))), new byte[] {2})).containsExactly("a");
    assertThat(nodes.accept(record("m1", 3, Map.of("a", List.of(1L), "b", List.of(2L))), new byte[] {3}))
        .containsExactly("b");
    assertThat(nodes.accept(record("m1", 1, Map.of()), new byte[] {1})).isEmpty();
    assertThat(nodes.registrations("a")).containsExactly(new RegistrationInfo("node-m1", 1, false));
    assertThat(nodes.node("node-m1").port()).isEqualTo(7000);
  }

  @Test
  @DisplayName("a member that leaves takes its registrations and node info with it")
  void removal() {
    TrustedNodes nodes = new TrustedNodes();
    nodes.accept(record("m1", 1, Map.of("a", List.of(1L))), new byte[] {1});
    nodes.accept(record("m2", 1, Map.of("a", List.of(4L))), new byte[] {2});
    assertThat(nodes.registrations("a")).hasSize(2);
    assertThat(nodes.remove("m1")).containsExactly("a");
    assertThat(nodes.registrations("a")).containsExactly(new RegistrationInfo("node-m2", 4, false));
    assertThat(nodes.node("node-m1")).isNull();
  }

  @Test
  @DisplayName("a record reads back exactly as it was written")
  void encoding() throws Exception {
    NodeRecord r = record("m1", 9, Map.of("dvr.x", List.of(1L, 5L), "dvr.y", List.of(2L)));
    assertThat(NodeRecord.parse(r.payload())).isEqualTo(r);
  }

  @Test
  @DisplayName("a map key a stranger chose is logged on one line and cut short")
  void keysInLogs() {
    assertThat(TrustedClusterManager.printable("a\nFAKE LOG LINE")).isEqualTo("a?FAKE LOG LINE");
    assertThat(TrustedClusterManager.printable("k".repeat(100))).hasSize(67);
  }
}
