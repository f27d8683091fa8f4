package io.dvr.agent.driver.linux;

import static io.dvr.agent.driver.linux.GratuitousArpTest.network;
import static io.dvr.agent.driver.linux.GratuitousArpTest.plan;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.fixtures.SeedTopology;
import io.dvr.agent.model.HostState;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HaState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("br-ex pins the qg- MAC to its port while the host holds the gateway address: set when claimed, removed when given up")
class GatewayFdbTest {
  static final String QG = Names.qgDevice(SeedTopology.QG);
  static final String QG_MAC = SeedTopology.GATEWAY.getMacAddress();
  static final GatewayFdb.MacReader NO_KERNEL = (ns, dev) -> Optional.empty();

  @Test
  @DisplayName("claimed with the device made in the same plan, claimed by a standby promoted, given up by one demoted; nothing for a standby")
  void pinsFollowTheAddress() {
    assertThat(GatewayFdb.pins(plan(network(HaState.HA_STATE_ACTIVE), HostState.EMPTY), HostState.EMPTY, NO_KERNEL))
        .as("a new active host").containsExactly(new GatewayFdb.Pin(true, QG, QG_MAC));
    MemoryHost host = new MemoryHost("network");
    var standby = plan(network(HaState.HA_STATE_STANDBY), host.observe());
    assertThat(GatewayFdb.pins(standby, host.observe(), NO_KERNEL)).as("a standby holds no address").isEmpty();
    host.execute(standby);
    HostState before = host.observe();
    var promotion = plan(network(HaState.HA_STATE_ACTIVE), before);
    assertThat(GatewayFdb.pins(promotion, before, NO_KERNEL)).containsExactly(new GatewayFdb.Pin(true, QG, QG_MAC));
    host.execute(promotion);
    HostState active = host.observe();
    assertThat(GatewayFdb.pins(plan(network(HaState.HA_STATE_ACTIVE), active), active, NO_KERNEL)).as("nothing changes").isEmpty();
    assertThat(GatewayFdb.pins(plan(network(HaState.HA_STATE_STANDBY), active), active, NO_KERNEL))
        .containsExactly(new GatewayFdb.Pin(false, QG, QG_MAC));
  }

  @Test
  @DisplayName("a standby made by a plan that was never read back is promoted: the MAC comes from the kernel, and the pin is set")
  void promotionOfAStandbyNotReadBack() {
    MemoryHost host = new MemoryHost("network");
    var standby = plan(network(HaState.HA_STATE_STANDBY), host.observe());
    host.execute(standby);
    var promotion = plan(network(HaState.HA_STATE_ACTIVE), host.observe());
    // What the driver last read is from before the standby was made: it has no snat- namespace.
    List<String> asked = new ArrayList<>();
    GatewayFdb.MacReader kernel = (ns, dev) -> {
      asked.add(ns + " " + dev);
      return Optional.of(QG_MAC);
    };
    assertThat(GatewayFdb.pins(promotion, HostState.EMPTY, kernel)).containsExactly(new GatewayFdb.Pin(true, QG, QG_MAC));
    assertThat(asked).containsExactly(Names.snatNamespace(SeedTopology.ROUTER) + " " + QG);
    assertThat(GatewayFdb.pins(promotion, HostState.EMPTY, NO_KERNEL)).as("nothing to pin with").isEmpty();
  }

  @Test
  @DisplayName("a held address is pinned again only when br-ex's MAC table has no static entry for its MAC")
  void missingPins() {
    var held = List.of(new GatewayFdb.Pin(true, QG, QG_MAC), new GatewayFdb.Pin(true, "qg-0000000000b", "fa:16:3e:00:00:0b"));
    String fdb = """
         port  VLAN  MAC                Age
        LOCAL     0  c2:6a:18:50:93:4b    0
            1     0  %s  static
            2     0  fa:16:3e:00:00:0b    3
        """.formatted(QG_MAC);
    assertThat(GatewayFdb.missing(held, fdb)).as("learnt, not pinned").containsExactly(held.get(1));
    assertThat(GatewayFdb.missing(held, " port  VLAN  MAC                Age\n")).as("an empty table").isEqualTo(held);
  }
}
