package io.dvr.agent.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.fixtures.SeedTopology;
import io.dvr.agent.model.Device;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An HA router's snat- namespace by role: the active host claims the qg- and sg- addresses, a standby programs all the rest")
class HaSnatRoleTest {
  static final String SNAT = Names.snatNamespace(SeedTopology.ROUTER);
  static final String QG = Names.qgDevice(SeedTopology.QG);
  static final String SG_81 = Names.sgDevice(SeedTopology.SG_81);
  static final String SG_91 = Names.sgDevice(SeedTopology.SG_91);

  static HostRouters network(boolean ha, HaState role) {
    HostRouters seed = SeedTopology.network();
    RouterInfo r = seed.getRouters(0).toBuilder().setHa(ha).setHaState(role).setHaEpoch(3).build();
    return seed.toBuilder().setRouters(0, r).build();
  }

  static NamespaceState snat(HostRouters routers) {
    return HostRenderer.render(routers, SeedTopology.networkFacts()).namespaces().get(SNAT);
  }

  @Test
  @DisplayName("ACTIVE: the addresses, their connected routes and the default route, as a router without HA")
  void active() {
    NamespaceState active = snat(network(true, HaState.HA_STATE_ACTIVE));
    assertThat(active.devices().get(QG).addresses()).containsExactly(IpPrefix.parse("192.168.1.115/24"));
    assertThat(active.devices().get(SG_81).addresses()).containsExactly(IpPrefix.parse("81.1.180.17/24"));
    assertThat(active.devices().get(SG_91).addresses()).containsExactly(IpPrefix.parse("91.1.180.16/24"));
    assertThat(active.routes()).contains(Route.via(Route.MAIN_TABLE, IpPrefix.ANY, "192.168.1.1", QG),
        Route.connected(IpPrefix.parse("192.168.1.115/24"), QG));
    NamespaceState plain = snat(network(false, HaState.HA_STATE_UNSPECIFIED));
    assertThat(active.devices()).isEqualTo(plain.devices());
    assertThat(active.routes()).isEqualTo(plain.routes());
    assertThat(active.nat()).isEqualTo(plain.nat());
  }

  @Test
  @DisplayName("STANDBY: the same devices (bridge, MAC, MTU), sysctls and NAT rules, but no address and so no route")
  void standby() {
    NamespaceState active = snat(network(true, HaState.HA_STATE_ACTIVE));
    NamespaceState standby = snat(network(true, HaState.HA_STATE_STANDBY));
    assertThat(standby.devices().keySet()).containsExactlyElementsOf(active.devices().keySet());
    for (Device d : standby.devices().values()) {
      assertThat(d.addresses()).as(d.name()).isEmpty();
      assertThat(d.withAddresses(active.devices().get(d.name()).addresses())).isEqualTo(active.devices().get(d.name()));
    }
    assertThat(standby.routes()).isEmpty();
    assertThat(standby.nat()).isEqualTo(active.nat());
    assertThat(standby.sysctls()).isEqualTo(active.sysctls()).containsEntry(Names.IP_FORWARD, "1");
    // An HA router whose role is not said is a standby: it must not claim by mistake.
    assertThat(snat(network(true, HaState.HA_STATE_UNSPECIFIED))).isEqualTo(standby);
  }

  @Test
  @DisplayName("IPv6 is off on an HA router's qg- and sg- devices (a standby's link-local traffic would carry the shared MACs); not on a plain router's")
  void ipv6Off() {
    NamespaceState standby = snat(network(true, HaState.HA_STATE_STANDBY));
    assertThat(standby.sysctls()).containsEntry(Names.disableIpv6(QG), "1").containsEntry(Names.disableIpv6(SG_81), "1")
        .containsEntry(Names.disableIpv6(SG_91), "1");
    assertThat(snat(network(false, HaState.HA_STATE_UNSPECIFIED)).sysctls()).doesNotContainKey(Names.disableIpv6(QG));
  }

  @Test
  @DisplayName("the sysctls of a new device are set before its link comes up, so it is silent from the start")
  void sysctlsBeforeLinkUp() {
    HostState desired = HostRenderer.render(network(true, HaState.HA_STATE_STANDBY), SeedTopology.networkFacts());
    List<Operation> ops = Reconciler.diff(desired, HostState.EMPTY).operations();
    int sysctl = indexOf(ops, op -> op instanceof Operation.SetSysctl s && s.key().equals(Names.disableIpv6(QG)));
    int link = indexOf(ops, op -> op instanceof Operation.SetLink l && l.device().equals(QG));
    assertThat(sysctl).isNotNegative().isLessThan(link);
  }

  @Test
  @DisplayName("promotion and fencing on a host are address and route changes only: devices, NAT and flows stay")
  void roleChangePlans() {
    MemoryHost host = new MemoryHost("network");
    HostRouters standby = network(true, HaState.HA_STATE_STANDBY);
    HostRouters active = network(true, HaState.HA_STATE_ACTIVE);
    host.execute(Reconciler.diff(HostRenderer.render(standby, SeedTopology.networkFacts()), host.observe()));
    Plan promote = Reconciler.diff(HostRenderer.render(active, SeedTopology.networkFacts()), host.observe());
    assertThat(promote.operations()).isNotEmpty().allMatch(op -> op.namespace().equals(SNAT)
        && (op instanceof Operation.AddAddress || op instanceof Operation.ReplaceRoute));
    assertThat(promote.operations()).filteredOn(op -> op instanceof Operation.AddAddress).hasSize(3);
    host.execute(promote);
    assertThat(Reconciler.diff(HostRenderer.render(active, SeedTopology.networkFacts()), host.observe()).isEmpty()).isTrue();
    Plan fence = Reconciler.diff(HostRenderer.render(standby, SeedTopology.networkFacts()), host.observe());
    assertThat(fence.operations()).isNotEmpty().allMatch(op -> op.namespace().equals(SNAT)
        && (op instanceof Operation.RemoveAddress || op instanceof Operation.RemoveRoute));
    host.execute(fence);
    assertThat(host.observe().namespaces().get(SNAT).devices().get(QG).addresses()).isEmpty();
  }

  static int indexOf(List<Operation> ops, java.util.function.Predicate<Operation> p) {
    for (int i = 0; i < ops.size(); i++) {
      if (p.test(ops.get(i))) {
        return i;
      }
    }
    return -1;
  }

  static List<String> neighbours(NamespaceState ns) {
    return ns.neighbours().stream().map(n -> n.ip() + " " + n.dev() + " " + n.mac()).toList();
  }

  @Test
  @DisplayName("an HA router's snat- holds the router's ARP table on its sg- devices in either role (not the sg- ports' own addresses); a plain router's holds none")
  void arpTableInSnat() {
    List<String> expected = List.of("81.1.180.10 " + SG_81 + " fa:16:3e:c0:8f:2c", "81.1.180.18 " + SG_81 + " fa:16:3e:30:ee:23",
        "90.1.180.3 " + SG_91 + " fa:16:3e:69:92:30");
    assertThat(neighbours(snat(network(true, HaState.HA_STATE_STANDBY)))).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(neighbours(snat(network(true, HaState.HA_STATE_ACTIVE)))).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(snat(network(false, HaState.HA_STATE_UNSPECIFIED)).neighbours()).isEmpty();
    RouterInfo r = network(true, HaState.HA_STATE_ACTIVE).getRouters(0);
    assertThat(RouterPart.onlyArpTableChanged(r, r.toBuilder().removeArpEntries(0).build()))
        .as("an ARP change of an HA router with snat- here renders snat- again").isFalse();
  }

  static List<String> tunFlows(HostRouters routers) {
    return HostRenderer.render(routers, SeedTopology.networkFacts()).bridges().get(Names.BR_TUN).flows().stream()
        .filter(f -> f.priority() == Names.PRIO_SNAT_HANDOVER && f.table() == TunnelType.GRE.table())
        .map(f -> f.match() + " " + f.actions()).toList();
  }

  static HostRouters handingOverTo(String host) {
    HostRouters seed = network(true, HaState.HA_STATE_ACTIVE);
    return seed.toBuilder().setRouters(0, seed.getRouters(0).toBuilder().setHaHandover(true).setHaActiveHost(host)).build();
  }

  @Test
  @DisplayName("handing over: br-tun passes the IP frames from a tunnel for each sg- MAC on to the new active host's tunnel; not otherwise")
  void handOverFlows() {
    // compute1 stands in for the new active host: its tunnel port on the network node is 2.
    assertThat(tunFlows(handingOverTo("compute1"))).containsExactlyInAnyOrder(
        "ip,tun_id=0x" + Long.toHexString(SeedTopology.SEG_A) + ",dl_dst=fa:16:3e:82:a9:ca output:2",
        "ip,tun_id=0x" + Long.toHexString(SeedTopology.SEG_B) + ",dl_dst=fa:16:3e:47:55:00 output:2");
    assertThat(tunFlows(network(true, HaState.HA_STATE_ACTIVE))).as("not handing over").isEmpty();
    assertThat(tunFlows(handingOverTo("network"))).as("to itself").isEmpty();
    assertThat(tunFlows(handingOverTo("network9"))).as("no tunnel to that host").isEmpty();
  }
}
