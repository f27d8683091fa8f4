package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.fixtures.SeedTopology;
import io.dvr.agent.model.HostState;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostRouters;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Gratuitous ARP for SNAT: every address a plan claims on a snat- namespace's qg- and sg- devices is announced from that device")
class GratuitousArpTest {
  static final String SNAT = Names.snatNamespace(SeedTopology.ROUTER);

  static HostRouters network(HaState role) {
    HostRouters seed = SeedTopology.network();
    return seed.toBuilder().setRouters(0, seed.getRouters(0).toBuilder().setHa(true).setHaState(role)).build();
  }

  static Plan plan(HostRouters routers, HostState on) {
    return Reconciler.diff(HostRenderer.render(routers, SeedTopology.networkFacts()), on);
  }

  static List<String> triples(Plan plan) {
    return GratuitousArp.snatAnnouncements(plan).stream()
        .map(a -> String.join(" ", a.namespace(), a.device(), a.ip(), a.askFor()).strip()).sorted().toList();
  }

  @Test
  @DisplayName("a standby promoted announces its qg- address on the external side (asking for the gateway) and each sg- address on the internal side (gratuitous)")
  void promotion() {
    MemoryHost host = new MemoryHost("network");
    host.execute(plan(network(HaState.HA_STATE_STANDBY), host.observe()));
    assertThat(triples(plan(network(HaState.HA_STATE_STANDBY), HostState.EMPTY))).as("a standby claims nothing").isEmpty();
    assertThat(triples(plan(network(HaState.HA_STATE_ACTIVE), host.observe()))).containsExactly(
        SNAT + " " + Names.qgDevice(SeedTopology.QG) + " 192.168.1.115 192.168.1.1",
        SNAT + " " + Names.sgDevice(SeedTopology.SG_81) + " 81.1.180.17",
        SNAT + " " + Names.sgDevice(SeedTopology.SG_91) + " 91.1.180.16");
  }

  @Test
  @DisplayName("a new SNAT host claims and announces; giving the addresses up or an apply that changes nothing announces nothing")
  void onlyClaims() {
    MemoryHost host = new MemoryHost("network");
    Plan first = plan(SeedTopology.network(), host.observe());
    assertThat(triples(first)).hasSize(3);
    host.execute(first);
    assertThat(triples(plan(SeedTopology.network(), host.observe()))).isEmpty();
    host.execute(plan(network(HaState.HA_STATE_ACTIVE), host.observe()));
    assertThat(triples(plan(network(HaState.HA_STATE_STANDBY), host.observe()))).isEmpty();
    assertThat(GratuitousArp.SNAT_ANNOUNCE_AT_MILLIS).hasSize(GratuitousArp.SNAT_ANNOUNCEMENTS);
  }
}
