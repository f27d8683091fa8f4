package io.dvr.agent.trace;

import static io.dvr.agent.fixtures.SeedTopology.*;
import static io.dvr.agent.trace.SeedPaths.leg;
import static io.dvr.agent.trace.SeedPaths.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.NatRule;
import io.dvr.agent.model.NatTable;
import io.dvr.agent.model.Neighbour;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The seed's five kinds of traffic (reference 10) traced on the rendered state of its three hosts,
 * and the drops a state missing a neighbour or a NAT rule gives.
 */
class PacketPathTest {
  private static final String QROUTER = "qrouter-" + ROUTER;
  private static final String SNAT = "snat-" + ROUTER;
  private static final String FIP = "fip-" + EXT_NET;

  private final SeedPaths plain = SeedPaths.seed(false);
  private final SeedPaths withFip = SeedPaths.seed(true);

  private static Packet to(String dst) {
    return Packet.ip("", dst, "", 0);
  }

  private static Outcome.Delivered deliveredTo(String where) {
    return new Outcome.Delivered(where);
  }

  @Test
  @DisplayName("same subnet, same host: br-int switches the frame straight to the other VM (NORMAL)")
  void localSameHost() {
    List<Leg> legs = plain.follow("compute1", new Ingress.FromVm(VM1), to("81.1.180.10"));

    assertThat(legs).hasSize(1);
    assertThat(lines(legs.get(0))).containsExactly(
        "VM " + VM1 + ": ARP 81.1.180.10 (same subnet) is at fa:16:3e:c0:8f:2c",
        "br-int: in_port 4 (VM port, tag 2): fa:16:3e:30:ee:23 > fa:16:3e:c0:8f:2c vlan 2",
        "br-int table 0: priority 1 actions=NORMAL",
        "br-int: NORMAL: fa:16:3e:c0:8f:2c on VLAN 2 is VM port " + SeedPaths.VM10,
        "br-int: output 9 (VM port " + SeedPaths.VM10 + "): fa:16:3e:30:ee:23 > fa:16:3e:c0:8f:2c",
        "Delivered[where=VM port " + SeedPaths.VM10 + " on compute1: 81.1.180.18 > 81.1.180.10]");
  }

  @Test
  @DisplayName("same subnet, two hosts: br-int -> br-tun floods on the tunnel id, the copy reaches the VM on compute2")
  void remoteSameSubnet() {
    List<Leg> legs = plain.follow("compute1", new Ingress.FromVm(VM3), to("90.1.180.6"));

    assertThat(lines(leg(legs, "compute1"))).contains(
        "br-int: NORMAL: no local port has fa:16:3e:13:93:0d on VLAN 1: out patch-tun",
        "br-tun table 1: priority 0 actions=resubmit(,2)",
        "br-tun table 22: priority 32768 dl_vlan=1 actions=strip_vlan,set_tunnel:0x4,output:3,output:2",
        "br-tun: output to the tunnel to compute2: fa:16:3e:4a:22:ff > fa:16:3e:13:93:0d tun_id 0x4");
    assertThat(lines(leg(legs, "compute2"))).containsSubsequence(
        "br-tun: in_port 3 (tunnel from compute1): fa:16:3e:4a:22:ff > fa:16:3e:13:93:0d tun_id 0x4",
        "br-tun table 3: priority 1 tun_id=0x4 actions=mod_vlan_vid:1,resubmit(,9)",
        "br-tun table 9: priority 0 actions=resubmit(,10)",
        "br-int table 0: priority 1 actions=NORMAL",
        "br-int: NORMAL: fa:16:3e:13:93:0d on VLAN 1 is VM port " + VM2);
    assertThat(leg(legs, "compute2").outcomes()).containsExactly(
        deliveredTo("VM port " + VM2 + " on compute2: 90.1.180.5 > 90.1.180.6"));
    assertThat(leg(legs, "network").outcomes()).containsExactly(
        new Outcome.Dropped("br-int on network: no port has fa:16:3e:13:93:0d on VLAN 1"));
  }

  @Test
  @DisplayName("east-west: routed by compute1's qrouter-, source MAC rewritten to compute1's DVR MAC on br-tun and back to the gateway MAC on compute2")
  void eastWest() {
    List<Leg> legs = plain.follow("compute1", new Ingress.FromVm(VM1), Packet.ip("", "90.1.180.6", "tcp", 22));

    assertThat(lines(leg(legs, "compute1"))).containsSubsequence(
        "VM " + VM1 + ": ARP 81.1.180.1 (gateway of 81.1.180.0/24) is at fa:16:3e:63:3b:4c",
        "br-int: NORMAL: fa:16:3e:63:3b:4c on VLAN 2 is qr-517bdba3-b1 (" + QROUTER + ")",
        QROUTER + ": in on qr-517bdba3-b1: 81.1.180.18 > 90.1.180.6 tcp/22",
        QROUTER + ": ip rule 32766: from all lookup main: 90.1.180.0/24 dev qr-f849ae46-48 proto kernel scope link"
            + " src 90.1.180.1",
        QROUTER + ": neighbour 90.1.180.6 dev qr-f849ae46-48 lladdr fa:16:3e:13:93:0d PERMANENT",
        QROUTER + ": out qr-f849ae46-48 to br-int (tag 1): fa:16:3e:ec:f3:dd > fa:16:3e:13:93:0d vlan 1",
        "br-tun table 1: priority 1 dl_vlan=1,dl_src=fa:16:3e:ec:f3:dd actions=mod_dl_src:" + MAC_COMPUTE1
            + ",resubmit(,2)",
        "br-tun: output to the tunnel to compute2: " + MAC_COMPUTE1 + " > fa:16:3e:13:93:0d tun_id 0x4");
    assertThat(lines(leg(legs, "compute2"))).containsSubsequence(
        "br-tun table 9: priority 1 dl_src=" + MAC_COMPUTE1 + " actions=output:1",
        "br-int table 0: priority 2 in_port=2,dl_src=" + MAC_COMPUTE1 + " actions=resubmit(,1)",
        "br-int table 1: priority 4 dl_vlan=1,dl_dst=fa:16:3e:13:93:0d actions=strip_vlan,"
            + "mod_dl_src:fa:16:3e:ec:f3:dd,output:5",
        "br-int: output 5 (VM port " + VM2 + "): fa:16:3e:ec:f3:dd > fa:16:3e:13:93:0d");
    assertThat(leg(legs, "compute2").outcomes()).containsExactly(
        deliveredTo("VM port " + VM2 + " on compute2: 81.1.180.18 > 90.1.180.6 tcp/22"));
    assertThat(leg(legs, "network").outcomes()).containsExactly(
        new Outcome.Dropped("br-int table 1: the flow drops it"));
  }

  @Test
  @DisplayName("SNAT: the subnet's table sends it to the SNAT port, the network node's snat- translates it to the gateway IP and sends it out of qg-")
  void snat() {
    List<Leg> legs = plain.follow("compute1", new Ingress.FromVm(VM1), to("192.168.1.20"));

    assertThat(lines(leg(legs, "compute1"))).containsSubsequence(
        QROUTER + ": ip rule 32766: from all lookup main: no route to 192.168.1.20",
        QROUTER + ": ip rule 32767: from all lookup default: no route to 192.168.1.20",
        QROUTER + ": ip rule 1359066113: from 81.1.180.1/24 lookup 1359066113: default via 81.1.180.17 dev"
            + " qr-517bdba3-b1",
        QROUTER + ": neighbour 81.1.180.17 dev qr-517bdba3-b1 lladdr fa:16:3e:82:a9:ca PERMANENT",
        "br-tun table 1: priority 1 dl_vlan=2,dl_src=fa:16:3e:63:3b:4c actions=mod_dl_src:" + MAC_COMPUTE1
            + ",resubmit(,2)");
    assertThat(lines(leg(legs, "network"))).containsSubsequence(
        "br-int table 1: priority 4 dl_vlan=2,dl_dst=fa:16:3e:82:a9:ca actions=strip_vlan,"
            + "mod_dl_src:fa:16:3e:63:3b:4c,output:6",
        "br-int: output 6 (sg-4f80ec3d-f2 in " + SNAT + ")",
        SNAT + ": in on sg-4f80ec3d-f2: 81.1.180.18 > 192.168.1.20",
        SNAT + ": iptables -t nat POSTROUTING: -A neutron-l3-agent-snat -s 81.1.180.0/24 -j SNAT --to-source"
            + " 192.168.1.115: source 81.1.180.18 -> 192.168.1.115",
        SNAT + ": out qg-32878e35-a2 (br-ex) to 192.168.1.20 by ARP on the external network");
    assertThat(leg(legs, "network").outcomes()).containsExactly(deliveredTo(
        "the external network: 192.168.1.115 > 192.168.1.20 via 192.168.1.20 from qg-32878e35-a2 on " + SNAT));
    assertThat(leg(legs, "compute2").outcomes()).containsExactly(new Outcome.Dropped("br-int table 1: the flow drops it"));
  }

  @Test
  @DisplayName("floating IP out: table 16 sends it through rfp-/fpr- to fip-, float-snat gives it the floating IP, fg- takes it out")
  void floatingIpOut() {
    List<Leg> legs = withFip.follow("compute1", new Ingress.FromVm(VM1), to("192.168.1.20"));

    assertThat(legs).hasSize(1);
    assertThat(lines(legs.get(0))).containsSubsequence(
        QROUTER + ": ip rule 32768: from 81.1.180.18 lookup 16: default via 169.254.30.1 dev rfp-e8f12f7a-6",
        QROUTER + ": iptables -t nat POSTROUTING: -A neutron-l3-agent-float-snat -s 81.1.180.18/32 -j SNAT"
            + " --to-source 192.168.1.116: source 81.1.180.18 -> 192.168.1.116",
        QROUTER + ": out rfp-e8f12f7a-6 (veth to fpr-e8f12f7a-6 in " + FIP + ")",
        FIP + ": in on fpr-e8f12f7a-6: 192.168.1.116 > 192.168.1.20",
        FIP + ": ip rule 32766: from all lookup main: 192.168.1.0/24 dev fg-9eeb3fb1-25 proto kernel scope link"
            + " src 192.168.1.117");
    assertThat(legs.get(0).outcomes()).containsExactly(deliveredTo(
        "the external network: 192.168.1.116 > 192.168.1.20 via 192.168.1.20 from fg-9eeb3fb1-25 on " + FIP));
  }

  @Test
  @DisplayName("floating IP in: only compute1's fg- answers ARP (proxy ARP), fip- routes it to fpr-, qrouter- DNATs it to the VM")
  void floatingIpIn() {
    List<Leg> legs = withFip.fromOutside(Packet.ip("192.168.1.20", "192.168.1.116", "", 0));

    assertThat(lines(leg(legs, "compute1"))).containsSubsequence(
        "br-ex: ARP 192.168.1.116 is at fa:16:3e:22:2d:90: proxy ARP on fg-9eeb3fb1-25 in " + FIP
            + " (net.ipv4.conf.fg-9eeb3fb1-25.proxy_arp = 1, route 192.168.1.116 via 169.254.30.0 dev fpr-e8f12f7a-6)",
        FIP + ": ip rule 32766: from all lookup main: 192.168.1.116 via 169.254.30.0 dev fpr-e8f12f7a-6",
        QROUTER + ": in on rfp-e8f12f7a-6: 192.168.1.20 > 192.168.1.116",
        QROUTER + ": iptables -t nat PREROUTING: -A neutron-l3-agent-PREROUTING -d 192.168.1.116/32 -j DNAT"
            + " --to-destination 81.1.180.18: destination 192.168.1.116 -> 81.1.180.18",
        QROUTER + ": neighbour 81.1.180.18 dev qr-517bdba3-b1 lladdr fa:16:3e:30:ee:23 PERMANENT",
        "br-int: NORMAL: fa:16:3e:30:ee:23 on VLAN 2 is VM port " + VM1);
    assertThat(leg(legs, "compute1").outcomes()).containsExactly(
        deliveredTo("VM port " + VM1 + " on compute1: 192.168.1.20 > 81.1.180.18"));
    assertThat(leg(legs, "network").outcomes()).containsExactly(
        new Outcome.Dropped("no device on br-ex of host network answers ARP for 192.168.1.116"));
    assertThat(leg(legs, "compute2").outcomes()).containsExactly(
        new Outcome.Dropped("no device on br-ex of host compute2 answers ARP for 192.168.1.116"));
  }

  @Test
  @DisplayName("a qrouter- without the permanent neighbour of the destination drops the routed packet and names the entry")
  void missingNeighbour() {
    SeedPaths broken = plain.changed("compute1", s -> namespace(s, QROUTER, ns -> ns.withNeighbours(
        List.of(new Neighbour("90.1.180.6", "qr-f849ae46-48", "fa:16:3e:13:93:0d")), List.of())));

    List<Leg> legs = broken.follow("compute1", new Ingress.FromVm(VM1), to("90.1.180.6"));

    assertThat(legs).hasSize(1);
    assertThat(legs.get(0).outcomes()).containsExactly(new Outcome.Dropped(QROUTER
        + ": no permanent neighbour for 90.1.180.6 on qr-f849ae46-48 (missing: 90.1.180.6 dev qr-f849ae46-48 lladdr"
        + " <port MAC> PERMANENT): ARP from a distributed router is answered to the router's copy on the port's own"
        + " host"));
  }

  @Test
  @DisplayName("a qrouter- without the floating IP's DNAT rule drops inbound traffic at the floating IP and names the rule")
  void missingDnat() {
    SeedPaths broken = withFip.changed("compute1", s -> namespace(s, QROUTER,
        ns -> withoutNat(ns, r -> r.spec().contains("-j DNAT"))));

    List<Leg> legs = broken.fromOutside(Packet.ip("192.168.1.20", "192.168.1.116", "", 0));

    assertThat(leg(legs, "compute1").outcomes()).containsExactly(new Outcome.Dropped(QROUTER
        + ": 192.168.1.116 is a floating IP on rfp-e8f12f7a-6 but no DNAT rule in the nat PREROUTING chain translates"
        + " it to a fixed IP (missing: -A neutron-l3-agent-PREROUTING -d 192.168.1.116/32 -j DNAT --to-destination"
        + " <fixed IP>)"));
  }

  @Test
  @DisplayName("a snat- without the subnet's SNAT rule drops traffic to the outside: it would leave with a private source")
  void missingSnat() {
    SeedPaths broken = plain.changed("network", s -> namespace(s, SNAT,
        ns -> withoutNat(ns, r -> r.spec().startsWith("-s 81.1.180.0/24"))));

    List<Leg> legs = broken.follow("compute1", new Ingress.FromVm(VM1), to("192.168.1.20"));

    assertThat(leg(legs, "network").outcomes()).containsExactly(new Outcome.Dropped(SNAT
        + ": leaves qg-32878e35-a2 with source 81.1.180.18, outside the external network [192.168.1.0/24]: no SNAT"
        + " rule in the nat POSTROUTING chain translated it, so no reply can come back"));
  }

  @Test
  @DisplayName("a namespace whose ip_forward is off does not route, and the drop says so")
  void forwardingOff() {
    SeedPaths broken = plain.changed("compute1", s -> namespace(s, QROUTER, ns -> {
      var sysctls = new TreeMap<>(ns.sysctls());
      sysctls.put("net.ipv4.ip_forward", "0");
      return new NamespaceState(ns.name(), ns.devices(), sysctls, ns.rules(), ns.routes(), ns.neighbours(), ns.nat());
    }));

    List<Leg> legs = broken.follow("compute1", new Ingress.FromVm(VM1), to("90.1.180.6"));

    assertThat(legs.get(0).outcomes()).containsExactly(new Outcome.Dropped(QROUTER
        + ": net.ipv4.ip_forward = 0, so the namespace does not route 81.1.180.18 > 90.1.180.6"));
  }

  private static HostState namespace(HostState s, String name, java.util.function.UnaryOperator<NamespaceState> change) {
    Map<String, NamespaceState> namespaces = new TreeMap<>(s.namespaces());
    namespaces.put(name, change.apply(namespaces.get(name)));
    return HostState.of(namespaces, s.bridges());
  }

  private static NamespaceState withoutNat(NamespaceState ns, Predicate<NatRule> gone) {
    List<NatRule> kept = ns.nat().rules().stream().filter(gone.negate()).toList();
    assertThat(kept).hasSizeLessThan(ns.nat().rules().size());
    return ns.withNat(new NatTable(ns.nat().chains(), kept));
  }
}
