package io.dvr.agent.driver.memory;

import static io.dvr.agent.driver.memory.SeedListings.appendRules;
import static io.dvr.agent.driver.memory.SeedListings.assertBlock;
import static io.dvr.agent.driver.memory.SeedListings.flows;
import static io.dvr.agent.driver.memory.SeedListings.ipAddr;
import static io.dvr.agent.driver.memory.SeedListings.lines;
import static io.dvr.agent.driver.memory.SeedListings.withoutStats;
import static io.dvr.agent.fixtures.SeedTopology.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.model.HostState;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.Allocations;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostRouters;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Renders the seed's topology, applies it to in-memory hosts and compares the listings with the seed's. */
class SeedConformanceTest {
  private static final String QROUTER = "qrouter-" + ROUTER;
  private static final String SNAT = "snat-" + ROUTER;
  private static final String FIP = "fip-" + EXT_NET;

  private static MemoryHost applied(String name, HostRouters routers, HostFacts facts) {
    MemoryHost host = new MemoryHost(name);
    HostState desired = HostRenderer.render(routers, facts);
    host.execute(Reconciler.diff(desired, host.observe()));
    assertThat(Reconciler.diff(desired, host.observe()).isEmpty()).as("converged").isTrue();
    return host;
  }

  private static MemoryHost network() {
    return applied("network", io.dvr.agent.fixtures.SeedTopology.network(), networkFacts());
  }

  private static MemoryHost compute1WithoutFip() {
    HostRouters routers = compute1(List.of(), null, LOCAL_VM1, LOCAL_VM3);
    return applied("compute1", routers, compute1Facts(routers));
  }

  /** Section 3.2.1 (4): FIP 192.168.1.116 behind fg-9eeb3fb1-25, link-local pair 169.254.31.28/31. */
  private static MemoryHost compute1WithFip116() {
    HostRouters routers = compute1(List.of(FIP_116), FG_COMPUTE1_117, LOCAL_VM1);
    return applied("compute1", routers, pinned(routers, (256 + 28) / 2, 32768));
  }

  /** Section 3.2.2: FIP 192.168.1.112 behind fg-4a292fe1-58, pair 169.254.31.238/31, rule priority 32769. */
  private static MemoryHost compute1WithFip112() {
    HostRouters routers = compute1(List.of(FIP_112), FG_COMPUTE1_118, LOCAL_VM1);
    return applied("compute1", routers, pinned(routers, (256 + 238) / 2, 32769));
  }

  /** Facts with the allocations the seed's host had persisted (pair index: offset in 169.254.30.0/23 / 2). */
  private static HostFacts pinned(HostRouters routers, int pair, int priority) {
    HostFacts fresh = compute1Facts(routers);
    return fresh.withAllocations(fresh.localVlans(),
        Allocations.empty(Names.FIP_PRIORITY_FIRST, Names.FIP_PRIORITY_LAST)
            .with(Names.fipRuleKey(ROUTER, "81.1.180.18"), priority),
        Allocations.empty(0, Names.LINK_LOCAL_PAIRS - 1).with(ROUTER, pair)).allocate(routers);
  }

  @Test
  @DisplayName("the network node's snat- namespace has the seed's devices, nat rules, routes and rules")
  void snatNamespace() {
    MemoryHost host = network();
    List<String> addr = ipAddr(host.ipAddr(SNAT));
    assertBlock(addr, "qg-32878e35-a2:mtu 1500 qdisc noqueue state UNKNOWN group default",
        "link/ether fa:16:3e:4a:40:48 brd ff:ff:ff:ff:ff:ff",
        "inet 192.168.1.115/24 brd 192.168.1.255 scope global qg-32878e35-a2",
        "valid_lft forever preferred_lft forever");
    assertBlock(addr, "sg-4f80ec3d-f2:mtu 1500 qdisc noqueue state UNKNOWN group default",
        "link/ether fa:16:3e:82:a9:ca brd ff:ff:ff:ff:ff:ff",
        "inet 81.1.180.17/24 brd 81.1.180.255 scope global sg-4f80ec3d-f2",
        "valid_lft forever preferred_lft forever");
    assertBlock(addr, "sg-6c01abc3-5d:mtu 1500 qdisc noqueue state UNKNOWN group default",
        "link/ether fa:16:3e:47:55:00 brd ff:ff:ff:ff:ff:ff",
        "inet 91.1.180.16/24 brd 91.1.180.255 scope global sg-6c01abc3-5d",
        "valid_lft forever preferred_lft forever");
    assertThat(appendRules(host.iptablesNat(SNAT))).containsExactly(
        "-A POSTROUTING -j neutron-l3-agent-POSTROUTING",
        "-A POSTROUTING -j neutron-postrouting-bottom",
        "-A neutron-l3-agent-POSTROUTING ! -i qg-32878e35-a2 ! -o qg-32878e35-a2 -m conntrack ! --ctstate DNAT -j ACCEPT",
        "-A neutron-l3-agent-snat -s 81.1.180.0/24 -j SNAT --to-source 192.168.1.115",
        "-A neutron-l3-agent-snat -s 91.1.180.0/24 -j SNAT --to-source 192.168.1.115",
        "-A neutron-postrouting-bottom -j neutron-l3-agent-snat");
    assertThat(lines(host.ipRule(SNAT))).containsExactly(
        "0:\tfrom all lookup local", "32766:\tfrom all lookup main", "32767:\tfrom all lookup default");
    assertThat(lines(host.ipRoute(SNAT))).containsExactly(
        "default via 192.168.1.1 dev qg-32878e35-a2",
        "81.1.180.0/24 dev sg-4f80ec3d-f2 proto kernel scope link src 81.1.180.17",
        "91.1.180.0/24 dev sg-6c01abc3-5d proto kernel scope link src 91.1.180.16",
        "192.168.1.0/24 dev qg-32878e35-a2 proto kernel scope link src 192.168.1.115");
  }

  @Test
  @DisplayName("the network node's qrouter- namespace has the seed's interfaces and nat rules, plus the jumps into them")
  void networkQrouter() {
    MemoryHost host = network();
    List<String> addr = ipAddr(host.ipAddr(QROUTER));
    assertBlock(addr, "qr-517bdba3-b1:mtu 1500 qdisc noqueue state UNKNOWN group default",
        "link/ether fa:16:3e:63:3b:4c brd ff:ff:ff:ff:ff:ff",
        "inet 81.1.180.1/24 brd 81.1.180.255 scope global qr-517bdba3-b1",
        "valid_lft forever preferred_lft forever");
    assertBlock(addr, "qr-e47fca31-db:mtu 1500 qdisc noqueue state UNKNOWN group default",
        "link/ether fa:16:3e:a9:da:b5 brd ff:ff:ff:ff:ff:ff",
        "inet 91.1.180.1/24 brd 91.1.180.255 scope global qr-e47fca31-db",
        "valid_lft forever preferred_lft forever");
    List<String> rules = appendRules(host.iptablesNat(QROUTER));
    // The seed's listing leaves out the jumps from built-in chains; without them nothing would apply.
    assertThat(rules.stream().filter(r -> !r.matches("-A [A-Z]+ .*"))).containsExactly(
        "-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697",
        "-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat",
        "-A neutron-postrouting-bottom -j neutron-l3-agent-snat");
    assertThat(rules.stream().filter(r -> r.matches("-A [A-Z]+ .*"))).containsExactly(
        "-A PREROUTING -j neutron-l3-agent-PREROUTING", "-A POSTROUTING -j neutron-postrouting-bottom");
    assertThat(host.ipNetns()).isEqualTo("qrouter-" + ROUTER + "\nsnat-" + ROUTER + "\n");
  }

  @Test
  @DisplayName("compute1's qrouter- redirects each subnet with a SNAT port to it through its own rule and table")
  void compute1SnatRedirection() {
    MemoryHost host = compute1WithoutFip();
    List<String> addr = ipAddr(host.ipAddr(QROUTER));
    assertBlock(addr, "qr-517bdba3-b1:mtu 1500 qdisc noqueue state UNKNOWN group default",
        "link/ether fa:16:3e:63:3b:4c brd ff:ff:ff:ff:ff:ff",
        "inet 81.1.180.1/24 brd 81.1.180.255 scope global qr-517bdba3-b1",
        "valid_lft forever preferred_lft forever",
        "inet6 fe80::f816:3eff:fe63:3b4c/64 scope link",
        "valid_lft forever preferred_lft forever");
    assertBlock(addr, "qr-e47fca31-db:mtu 1500 qdisc noqueue state UNKNOWN group default",
        "link/ether fa:16:3e:a9:da:b5 brd ff:ff:ff:ff:ff:ff",
        "inet 91.1.180.1/24 brd 91.1.180.255 scope global qr-e47fca31-db",
        "valid_lft forever preferred_lft forever",
        "inet6 fe80::f816:3eff:fea9:dab5/64 scope link",
        "valid_lft forever preferred_lft forever");
    assertThat(appendRules(host.iptablesNat(QROUTER)))
        .contains("-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697");
    assertThat(lines(host.ipRule(QROUTER))).containsExactly(
        "0:\tfrom all lookup local", "32766:\tfrom all lookup main", "32767:\tfrom all lookup default",
        "1359066113:\tfrom 81.1.180.1/24 lookup 1359066113", "1526838273:\tfrom 91.1.180.1/24 lookup 1526838273");
    assertThat(lines(host.ipRoute(QROUTER, 1359066113L))).containsExactly("default via 81.1.180.17 dev qr-517bdba3-b1");
    assertThat(host.sysctl(QROUTER, "net.ipv4.conf.qr-517bdba3-b1.send_redirects"))
        .isEqualTo("net.ipv4.conf.qr-517bdba3-b1.send_redirects = 0\n");
    assertThat(host.sysctl(QROUTER, "net.ipv4.ip_forward")).isEqualTo("net.ipv4.ip_forward = 1\n");
  }

  @Test
  @DisplayName("compute1's qrouter- holds a permanent ARP entry for the ports of the router's subnets")
  void compute1Neighbours() {
    assertThat(lines(compute1WithoutFip().ipNeigh(QROUTER))).contains(
        "90.1.180.6 dev qr-f849ae46-48 lladdr fa:16:3e:13:93:0d PERMANENT",
        "81.1.180.10 dev qr-517bdba3-b1 lladdr fa:16:3e:c0:8f:2c PERMANENT",
        "90.1.180.3 dev qr-e47fca31-db lladdr fa:16:3e:69:92:30 PERMANENT");
  }

  @Test
  @DisplayName("a FIP gives compute1 a fip- namespace with fg- and fpr-, and an rfp- with the FIP in qrouter-")
  void compute1Fip116() {
    MemoryHost host = compute1WithFip116();
    List<String> fip = ipAddr(host.ipAddr(FIP));
    assertBlock(fip, "fpr-e8f12f7a-6:mtu 1500 qdisc pfifo_fast state UP group default qlen 1000");
    assertBlock(fip, "inet 169.254.31.29/31 scope global fpr-e8f12f7a-6", "valid_lft forever preferred_lft forever");
    assertBlock(fip, "fg-9eeb3fb1-25:mtu 1500 qdisc noqueue state UNKNOWN group default",
        "link/ether fa:16:3e:22:2d:90 brd ff:ff:ff:ff:ff:ff",
        "inet 192.168.1.117/24 brd 192.168.1.255 scope global fg-9eeb3fb1-25",
        "valid_lft forever preferred_lft forever",
        "inet6 fe80::f816:3eff:fe22:2d90/64 scope link",
        "valid_lft forever preferred_lft forever");
    assertThat(lines(host.ipRoute(FIP))).containsExactly(
        "default via 192.168.1.1 dev fg-9eeb3fb1-25",
        "169.254.31.28/31 dev fpr-e8f12f7a-6 proto kernel scope link src 169.254.31.29",
        "192.168.1.0/24 dev fg-9eeb3fb1-25 proto kernel scope link src 192.168.1.117",
        "192.168.1.116 via 169.254.31.28 dev fpr-e8f12f7a-6");
    List<String> qrouter = ipAddr(host.ipAddr(QROUTER));
    assertBlock(qrouter, "rfp-e8f12f7a-6:mtu 1500 qdisc pfifo_fast state UP group default qlen 1000");
    assertBlock(qrouter, "inet 169.254.31.28/31 scope global rfp-e8f12f7a-6",
        "valid_lft forever preferred_lft forever",
        "inet 192.168.1.116/32 brd 192.168.1.116 scope global rfp-e8f12f7a-6",
        "valid_lft forever preferred_lft forever");
    // Veth MACs are the kernel's random choice; ours are stable and locally administered.
    assertThat(qrouter).anyMatch(l -> l.matches("link/ether [0-9a-f][26ae](:[0-9a-f]{2}){5} brd ff:ff:ff:ff:ff:ff"));
    assertBlock(appendRules(host.iptablesNat(QROUTER)),
        "-A neutron-l3-agent-OUTPUT -d 192.168.1.116/32 -j DNAT --to-destination 81.1.180.18",
        "-A neutron-l3-agent-POSTROUTING ! -i rfp-e8f12f7a-6 ! -o rfp-e8f12f7a-6 -m conntrack ! --ctstate DNAT -j ACCEPT",
        "-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697",
        "-A neutron-l3-agent-PREROUTING -d 192.168.1.116/32 -j DNAT --to-destination 81.1.180.18",
        "-A neutron-l3-agent-float-snat -s 81.1.180.18/32 -j SNAT --to-source 192.168.1.116");
    assertThat(appendRules(host.iptablesNat(QROUTER))).contains(
        "-A PREROUTING -j neutron-l3-agent-PREROUTING", "-A OUTPUT -j neutron-l3-agent-OUTPUT",
        "-A POSTROUTING -j neutron-l3-agent-POSTROUTING", "-A POSTROUTING -j neutron-postrouting-bottom");
  }

  @Test
  @DisplayName("the second FIP walk-through: rule 32769 to table 16, default via fpr-, proxy ARP on fg- only")
  void compute1Fip112() {
    MemoryHost host = compute1WithFip112();
    assertThat(lines(host.ipRule(QROUTER)).subList(0, 4)).containsExactly(
        "0:\tfrom all lookup local", "32766:\tfrom all lookup main", "32767:\tfrom all lookup default",
        "32769:\tfrom 81.1.180.18 lookup 16");
    assertThat(lines(host.ipRoute(QROUTER, 16))).containsExactly("default via 169.254.31.239 dev rfp-e8f12f7a-6");
    assertBlock(ipAddr(host.ipAddr(QROUTER)), "inet 169.254.31.238/31 scope global rfp-e8f12f7a-6",
        "valid_lft forever preferred_lft forever",
        "inet 192.168.1.112/32 brd 192.168.1.112 scope global rfp-e8f12f7a-6",
        "valid_lft forever preferred_lft forever");
    assertBlock(ipAddr(host.ipAddr(FIP)), "inet 169.254.31.239/31 scope global fpr-e8f12f7a-6");
    assertThat(lines(host.ipRoute(FIP))).containsExactly(
        "default via 192.168.1.1 dev fg-4a292fe1-58",
        "169.254.31.238/31 dev fpr-e8f12f7a-6 proto kernel scope link src 169.254.31.239",
        "192.168.1.0/24 dev fg-4a292fe1-58 proto kernel scope link src 192.168.1.118",
        "192.168.1.112 via 169.254.31.238 dev fpr-e8f12f7a-6");
    assertThat(appendRules(host.iptablesNat(QROUTER))).contains(
        "-A neutron-l3-agent-float-snat -s 81.1.180.18/32 -j SNAT --to-source 192.168.1.112",
        "-A neutron-l3-agent-PREROUTING -d 192.168.1.112/32 -j DNAT --to-destination 81.1.180.18");
    assertThat(host.sysctl(FIP, "net.ipv4.conf.fg-4a292fe1-58.proxy_arp"))
        .isEqualTo("net.ipv4.conf.fg-4a292fe1-58.proxy_arp = 1\n");
    assertThat(host.sysctl(QROUTER, "net.ipv4.conf.rfp-e8f12f7a-6.proxy_arp"))
        .isEqualTo("net.ipv4.conf.rfp-e8f12f7a-6.proxy_arp = 0\n");
    assertThat(lines(host.ipRoute(QROUTER))).containsExactly(
        "81.1.180.0/24 dev qr-517bdba3-b1 proto kernel scope link src 81.1.180.1",
        "90.1.180.0/24 dev qr-f849ae46-48 proto kernel scope link src 90.1.180.1",
        "91.1.180.0/24 dev qr-e47fca31-db proto kernel scope link src 91.1.180.1",
        "169.254.31.238/31 dev rfp-e8f12f7a-6 proto kernel scope link src 169.254.31.238");
  }

  @Test
  @DisplayName("a freshly allocated link-local pair is an even/odd /31 of 169.254.30.0/23 and routes the FIP")
  void freshPair() {
    HostRouters routers = compute1(List.of(FIP_116), FG_COMPUTE1_117, LOCAL_VM1);
    MemoryHost host = applied("compute1", routers, compute1Facts(routers));
    String rfpLine = ipAddr(host.ipAddr(QROUTER)).stream()
        .filter(l -> l.startsWith("inet 169.254.") && l.endsWith("rfp-e8f12f7a-6")).findFirst().orElseThrow();
    String rfpIp = rfpLine.split(" ")[1].split("/")[0];
    long rfp = io.dvr.agent.model.IpPrefix.toLong(rfpIp);
    assertThat(rfpLine).endsWith("/31 scope global rfp-e8f12f7a-6");
    assertThat(rfp % 2).isZero();
    assertThat(Names.LINK_LOCAL_POOL.contains(rfp)).isTrue();
    assertThat(ipAddr(host.ipAddr(FIP)))
        .contains("inet " + io.dvr.agent.model.IpPrefix.dotted(rfp + 1) + "/31 scope global fpr-e8f12f7a-6");
    assertThat(lines(host.ipRoute(FIP))).contains("192.168.1.116 via " + rfpIp + " dev fpr-e8f12f7a-6");
    assertThat(lines(host.ipRule(QROUTER))).contains("32768:\tfrom 81.1.180.18 lookup 16");
  }

  @Test
  @DisplayName("compute1's br-int has the seed's DVR flows (section 4.3.1)")
  void compute1BrInt() {
    assertThat(flows(compute1WithoutFip().dumpFlows("br-int"))).contains(Stream.of(
        "table=0, n_packets=0, n_bytes=0, idle_age=9734, priority=2,in_port=5,dl_src=fa:16:3f:12:a3:38 actions=resubmit(,1)",
        "table=0, n_packets=2321, n_bytes=227458, idle_age=0, priority=2,in_port=5,dl_src=fa:16:3f:db:6f:73 actions=resubmit(,1)",
        "table=0, n_packets=22797, n_bytes=2176300, idle_age=0, priority=1 actions=NORMAL",
        "table=1, n_packets=0, n_bytes=0, idle_age=9725, priority=2,ip,dl_vlan=2,nw_dst=81.1.180.0/24 actions=strip_vlan,mod_dl_src:fa:16:3e:63:3b:4c,output:4",
        "table=1, n_packets=0, n_bytes=0, idle_age=2268, priority=2,ip,dl_vlan=1,nw_dst=90.1.180.0/24 actions=strip_vlan,mod_dl_src:fa:16:3e:ec:f3:dd,output:8",
        "table=1, n_packets=2321, n_bytes=227458, idle_age=0, priority=4,dl_vlan=2,dl_dst=fa:16:3e:30:ee:23 actions=strip_vlan,mod_dl_src:fa:16:3e:63:3b:4c,output:4",
        "table=1, n_packets=0, n_bytes=0, idle_age=2268, priority=4,dl_vlan=1,dl_dst=fa:16:3e:4a:22:ff actions=strip_vlan,mod_dl_src:fa:16:3e:ec:f3:dd,output:8",
        "table=1, n_packets=0, n_bytes=0, idle_age=9734, priority=1 actions=drop",
        "table=23, n_packets=0, n_bytes=0, idle_age=9734, priority=0 actions=drop")
        .map(SeedListings::withoutStats).toArray(String[]::new));
  }

  @Test
  @DisplayName("compute1's br-tun has the seed's DVR, tunnel and flooding flows (sections 3.2.4, 4.2, 4.3.2)")
  void compute1BrTun() {
    String dump = compute1WithoutFip().dumpFlows("br-tun");
    assertThat(flows(dump)).contains(Stream.of(
        "table=0, n_packets=6423, n_bytes=593912, idle_age=0, priority=1,in_port=1 actions=resubmit(,1)",
        "table=1, n_packets=5751, n_bytes=563598, idle_age=0, priority=1,dl_vlan=1,dl_src=fa:16:3e:ec:f3:dd actions=mod_dl_src:fa:16:3f:b2:34:82,resubmit(,2)",
        "table=1, n_packets=10, n_bytes=980, idle_age=7987, priority=1,dl_vlan=2,dl_src=fa:16:3e:63:3b:4c actions=mod_dl_src:fa:16:3f:b2:34:82,resubmit(,2)",
        "table=1, n_packets=635, n_bytes=26950, idle_age=8015, priority=1,dl_vlan=1,dl_src=fa:16:3e:a9:da:b5 actions=mod_dl_src:fa:16:3f:b2:34:82,resubmit(,2)",
        "table=2, n_packets=8673, n_bytes=849786, idle_age=1, priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,20)",
        "table=2, n_packets=675, n_bytes=30798, idle_age=3727, priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=resubmit(,22)",
        "table=3, n_packets=98, n_bytes=6514, idle_age=3731, priority=1,tun_id=0x4 actions=mod_vlan_vid:1,resubmit(,9)",
        "table=3, n_packets=3830, n_bytes=375768, idle_age=1, priority=1,tun_id=0x6 actions=mod_vlan_vid:2,resubmit(,9)",
        "table=3, n_packets=0, n_bytes=0, idle_age=11238, priority=0 actions=drop",
        "table=9, n_packets=0, n_bytes=0, idle_age=11236, priority=1,dl_src=fa:16:3f:12:a3:38 actions=output:1",
        "table=9, n_packets=3821, n_bytes=374458, idle_age=1, priority=1,dl_src=fa:16:3f:db:6f:73 actions=output:1",
        "table=9, n_packets=107, n_bytes=7824, idle_age=3731, priority=0 actions=resubmit(,10)",
        "table=10, n_packets=107, n_bytes=7824, idle_age=3731, priority=1 actions=learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[]),output:1",
        "table=20, n_packets=0, n_bytes=0, idle_age=6900, priority=0 actions=resubmit(,22)",
        "table=22, n_packets=8, n_bytes=1126, idle_age=11018, hard_age=5501, dl_vlan=2 actions=strip_vlan,set_tunnel:0x6,output:3,output:2",
        "table=22, n_packets=642, n_bytes=27866, idle_age=3727, hard_age=5469, dl_vlan=1 actions=strip_vlan,set_tunnel:0x4,output:3,output:2",
        "table=22, n_packets=25, n_bytes=1806, idle_age=3772, priority=0 actions=drop")
        .map(SeedListings::withoutStats).toArray(String[]::new));
    // `ovs-ofctl dump-flows br-tun | grep mod_dl_src` (section 4.2): exactly the three router interfaces.
    assertThat(lines(dump).stream().filter(l -> l.contains("mod_dl_src")).map(SeedListings::withoutStats))
        .containsExactlyInAnyOrder(Stream.of(
            "cookie=0x0, duration=6989.394s, table=1, n_packets=6405, n_bytes=627690, idle_age=510, priority=1,dl_vlan=1,dl_src=fa:16:3e:ec:f3:dd actions=mod_dl_src:fa:16:3f:b2:34:82,resubmit(,2)",
            "cookie=0x0, duration=8055.165s, table=1, n_packets=10, n_bytes=980, idle_age=4814, priority=1,dl_vlan=2,dl_src=fa:16:3e:63:3b:4c actions=mod_dl_src:fa:16:3f:b2:34:82,resubmit(,2)",
            "cookie=0x0, duration=8059.947s, table=1, n_packets=635, n_bytes=26950, idle_age=4843, priority=1,dl_vlan=1,dl_src=fa:16:3e:a9:da:b5 actions=mod_dl_src:fa:16:3f:b2:34:82,resubmit(,2)")
            .map(SeedListings::withoutStats).toArray(String[]::new));
    // Gateway ARP and gateway MAC never leave the host.
    assertThat(flows(dump)).contains("table=1, priority=3,arp,dl_vlan=2,nw_dst=81.1.180.1 actions=drop",
        "table=1, priority=2,dl_vlan=2,dl_dst=fa:16:3e:63:3b:4c actions=drop");
  }

  @Test
  @DisplayName("compute2 carries the same qrouter- as compute1 and steers routed frames to its own VM")
  void compute2() {
    HostState c1 = HostRenderer.render(compute1(), compute1Facts(compute1()));
    HostState c2 = HostRenderer.render(io.dvr.agent.fixtures.SeedTopology.compute2(), compute2Facts());
    assertThat(c2.namespaces().get(QROUTER)).isEqualTo(c1.namespaces().get(QROUTER));
    MemoryHost host = applied("compute2", io.dvr.agent.fixtures.SeedTopology.compute2(), compute2Facts());
    assertThat(flows(host.dumpFlows("br-int"))).contains(
        "table=0, priority=2,in_port=2,dl_src=fa:16:3f:12:a3:38 actions=resubmit(,1)",
        "table=0, priority=2,in_port=2,dl_src=fa:16:3f:b2:34:82 actions=resubmit(,1)",
        "table=1, priority=4,dl_vlan=1,dl_dst=fa:16:3e:13:93:0d actions=strip_vlan,mod_dl_src:fa:16:3e:ec:f3:dd,output:5",
        "table=1, priority=2,ip,dl_vlan=1,nw_dst=90.1.180.0/24 actions=strip_vlan,mod_dl_src:fa:16:3e:ec:f3:dd,output:5");
    assertThat(host.ipNetns()).isEqualTo(QROUTER + "\n");
  }

  @Test
  @DisplayName("the network node steers frames for its SNAT ports with the gateway MAC of their subnet")
  void networkFlows() {
    List<String> brInt = flows(network().dumpFlows("br-int"));
    assertThat(brInt).contains(
        "table=1, priority=4,dl_vlan=2,dl_dst=fa:16:3e:82:a9:ca actions=strip_vlan,mod_dl_src:fa:16:3e:63:3b:4c,output:6",
        "table=1, priority=4,dl_vlan=1,dl_dst=fa:16:3e:47:55:00 actions=strip_vlan,mod_dl_src:fa:16:3e:a9:da:b5,output:7");
    assertThat(brInt).noneMatch(l -> l.contains("priority=2,ip,"));
  }
}
