package io.dvr.agent.driver.linux;

import static io.dvr.agent.driver.linux.GratuitousArpTest.network;
import static io.dvr.agent.driver.linux.GratuitousArpTest.plan;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.fixtures.SeedTopology;
import io.dvr.agent.model.HostState;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HaState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("br-ex pins the qg- MAC to its port while the host holds the gateway address: set when claimed, removed when given up")
class GatewayFdbTest {
  static final String QG = Names.qgDevice(SeedTopology.QG);
  static final String QG_MAC = SeedTopology.GATEWAY.getMacAddress();

  @Test
  @DisplayName("claimed with the device made in the same plan, claimed by a standby promoted, given up by one demoted; nothing for a standby")
  void pinsFollowTheAddress() {
    assertThat(GatewayFdb.pins(plan(network(HaState.HA_STATE_ACTIVE), HostState.EMPTY), HostState.EMPTY))
        .as("a new active host").containsExactly(new GatewayFdb.Pin(true, QG, QG_MAC));
    MemoryHost host = new MemoryHost("network");
    var standby = plan(network(HaState.HA_STATE_STANDBY), host.observe());
    assertThat(GatewayFdb.pins(standby, host.observe())).as("a standby holds no address").isEmpty();
    host.execute(standby);
    HostState before = host.observe();
    var promotion = plan(network(HaState.HA_STATE_ACTIVE), before);
    assertThat(GatewayFdb.pins(promotion, before)).containsExactly(new GatewayFdb.Pin(true, QG, QG_MAC));
    host.execute(promotion);
    HostState active = host.observe();
    assertThat(GatewayFdb.pins(plan(network(HaState.HA_STATE_ACTIVE), active), active)).as("nothing changes").isEmpty();
    assertThat(GatewayFdb.pins(plan(network(HaState.HA_STATE_STANDBY), active), active))
        .containsExactly(new GatewayFdb.Pin(false, QG, QG_MAC));
  }
}
