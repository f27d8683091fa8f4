package io.dvr.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.driver.memory.MemoryHost;
import io.dvr.agent.render.Names;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.gateway.ApiClient;
import io.dvr.gateway.SeedTopology;
import io.dvr.proto.v1.AgentServiceGrpcClient;
import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.ClearRouterGatewayRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetHostStateRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.HostAgentServiceGrpcClient;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListRouterHostsRequest;
import io.dvr.proto.v1.ListingSection;
import io.dvr.proto.v1.MacAllocatorServiceGrpcClient;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import io.dvr.proto.v1.UpdateNetworkRequest;
import io.dvr.proto.v1.UpdatePortRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's topology built through the API makes every simulated host hold the namespaces,
 * rules, routes, NAT rules, neighbours and flows the seed lists; then its lifecycle.
 * Ids, MACs and IPs are those of the created resources.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Control plane: the seed's topology rendered on every host, and its lifecycle")
class ControlPlaneTest {
  static final String QROUTER = Names.qrouterNamespace(SeedTopology.ROUTER_ID);
  static final String SNAT = Names.snatNamespace(SeedTopology.ROUTER_ID);
  static final String FIP = Names.fipNamespace(SeedTopology.EXT_NET_ID);
  static final String RFP = Names.rfpDevice(SeedTopology.ROUTER_ID);
  static final String FPR = Names.fprDevice(SeedTopology.ROUTER_ID);

  @TempDir static Path dataDir;
  static LabFixture fx;
  static SeedTopology seed;
  static Router router;

  @BeforeAll
  static void build() {
    fx = LabFixture.start(dataDir.resolve("pg"), Map.of());
    // The agents register and get their MACs before the topology exists.
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fx.routersOf("compute2").getDvrMac().startsWith("fa:16:3f"));
    seed = SeedTopology.build(fx.api);
    router = fx.api.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(SeedTopology.ROUTER_ID).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fx.host("compute1").ipNetns().contains(FIP));
    fx.awaitConverged();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static RouterInterface iface(String cidr) {
    return router.getInterfacesList().stream().filter(i -> i.getCidr().equals(cidr)).findFirst().orElseThrow();
  }

  static String qr(String cidr) {
    return Names.qrDevice(iface(cidr).getPortId());
  }

  static Port port(String id) {
    return fx.api.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(id).build());
  }

  static List<RouterHost> hostsOfRouter() {
    return fx.api.call(RouterServiceGrpcClient.ListRouterHosts,
        ListRouterHostsRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).build()).getHostsList();
  }

  static Map<String, String> dvrMacs() {
    return fx.api.call(io.dvr.proto.v1.AgentServiceGrpcClient.ListAgents, io.dvr.proto.v1.ListAgentsRequest.getDefaultInstance())
        .getAgentsList().stream().collect(Collectors.toMap(a -> a.getHost(), a -> fx.routersOf(a.getHost()).getDvrMac()));
  }

  @Test
  @Order(1)
  @DisplayName("each host has a unique DVR MAC under fa:16:3f, stored by the MAC allocator")
  void uniqueDvrMacs() {
    var macs = fx.routersOf("network");
    Set<String> all = new java.util.TreeSet<>();
    all.add(macs.getDvrMac());
    macs.getPeersList().forEach(m -> all.add(m.getDvrMac()));
    assertThat(all).hasSize(3).allSatisfy(m -> assertThat(m).matches("fa:16:3f(:[0-9a-f]{2}){3}"));
    assertThat(macs.getPeersList()).extracting(m -> m.getHost()).containsExactly("compute1", "compute2");
  }

  @Test
  @Order(2)
  @DisplayName("dvr-r1 is hosted on network (SNAT), compute1 and compute2")
  void placement() {
    assertThat(hostsOfRouter()).extracting(RouterHost::getHost, RouterHost::getSnat).containsExactly(
        org.assertj.core.groups.Tuple.tuple("compute1", false),
        org.assertj.core.groups.Tuple.tuple("compute2", false),
        org.assertj.core.groups.Tuple.tuple("network", true));
    assertThat(fx.host("network").ipNetns()).contains(QROUTER, SNAT).doesNotContain("fip-");
    assertThat(fx.host("compute1").ipNetns()).contains(QROUTER, FIP).doesNotContain(SNAT);
    assertThat(fx.host("compute2").ipNetns()).contains(QROUTER).doesNotContain(SNAT, "fip-");
  }

  @Test
  @Order(3)
  @DisplayName("snat- on the network node: qg-/sg- addresses, default route via 192.168.1.1, the seed's SNAT rules")
  void snatNamespace() {
    MemoryHost network = fx.host("network");
    String qg = Names.qgDevice(router.getExternalGatewayInfo().getPortId());
    String sg81 = Names.sgDevice(iface("81.1.180.0/24").getSnatPortId());
    String snat81 = iface("81.1.180.0/24").getSnatIpAddress();
    assertThat(network.ipRoute(SNAT)).contains(
        "default via 192.168.1.1 dev " + qg,
        "81.1.180.0/24 dev " + sg81 + " proto kernel scope link src " + snat81,
        "192.168.1.0/24 dev " + qg + " proto kernel scope link src 192.168.1.115");
    assertThat(network.iptablesNat(SNAT).lines()).containsSubsequence(
        "-A POSTROUTING -j neutron-l3-agent-POSTROUTING",
        "-A POSTROUTING -j neutron-postrouting-bottom",
        "-A neutron-l3-agent-POSTROUTING ! -i " + qg + " ! -o " + qg + " -m conntrack ! --ctstate DNAT -j ACCEPT",
        "-A neutron-l3-agent-snat -s 81.1.180.0/24 -j SNAT --to-source 192.168.1.115",
        "-A neutron-l3-agent-snat -s 91.1.180.0/24 -j SNAT --to-source 192.168.1.115",
        "-A neutron-postrouting-bottom -j neutron-l3-agent-snat");
    assertThat(network.ipAddr(SNAT)).contains("inet 192.168.1.115/24 brd 192.168.1.255 scope global " + qg,
        "inet " + snat81 + "/24 brd 81.1.180.255 scope global " + sg81);
  }

  @Test
  @Order(4)
  @DisplayName("qrouter- on every host: per-subnet rule and table towards the SNAT port, connected routes, metadata rule")
  void qrouterNamespace() {
    for (String host : List.of("network", "compute1", "compute2")) {
      MemoryHost h = fx.host(host);
      assertThat(h.ipRule(QROUTER)).as(host).contains("0:\tfrom all lookup local", "32766:\tfrom all lookup main",
          "32767:\tfrom all lookup default", "1359066113:\tfrom 81.1.180.1/24 lookup 1359066113",
          "1526838273:\tfrom 91.1.180.1/24 lookup 1526838273");
      assertThat(h.ipRoute(QROUTER, 1359066113L).strip())
          .isEqualTo("default via " + iface("81.1.180.0/24").getSnatIpAddress() + " dev " + qr("81.1.180.0/24"));
      assertThat(h.ipRoute(QROUTER)).contains(
          "81.1.180.0/24 dev " + qr("81.1.180.0/24") + " proto kernel scope link src 81.1.180.1",
          "91.1.180.0/24 dev " + qr("91.1.180.0/24") + " proto kernel scope link src 91.1.180.1");
      assertThat(h.ipAddr(QROUTER)).contains("link/ether " + iface("81.1.180.0/24").getMacAddress(),
          "inet 81.1.180.1/24 brd 81.1.180.255 scope global " + qr("81.1.180.0/24"));
      assertThat(h.iptablesNat(QROUTER)).contains(
          "-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697",
          "-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat",
          "-A neutron-postrouting-bottom -j neutron-l3-agent-snat");
      assertThat(h.sysctl(QROUTER, "net.ipv4.conf." + qr("81.1.180.0/24") + ".send_redirects")).contains("= 0");
    }
    assertThat(fx.host("network").iptablesNat(QROUTER)).doesNotContain("DNAT");
  }

  @Test
  @Order(5)
  @DisplayName("the FIP on compute1: rule to table 16, rfp/fpr /31 pair, DNAT/SNAT rules, fip- routes and proxy ARP")
  void floatingIp() {
    MemoryHost c1 = fx.host("compute1");
    assertThat(c1.ipRule(QROUTER)).containsPattern("3\\d{4}:\tfrom 81.1.180.18 lookup 16");
    String rfpLine = c1.ipAddr(QROUTER).lines().filter(l -> l.contains("169.254.") && l.contains(RFP)).findFirst().orElseThrow();
    String rfpIp = rfpLine.trim().split(" ")[1].split("/")[0];
    int last = Integer.parseInt(rfpIp.substring(rfpIp.lastIndexOf('.') + 1));
    assertThat(last % 2).as("rfp- takes the even address").isZero();
    assertThat(rfpIp).matches("169\\.254\\.3[01]\\.\\d+");
    String fprIp = rfpIp.substring(0, rfpIp.lastIndexOf('.') + 1) + (last + 1);
    assertThat(c1.ipRoute(QROUTER, 16).strip()).isEqualTo("default via " + fprIp + " dev " + RFP);
    assertThat(c1.ipAddr(QROUTER)).contains("inet 192.168.1.116/32 brd 192.168.1.116 scope global " + RFP);
    assertThat(c1.iptablesNat(QROUTER)).contains(
        "-A neutron-l3-agent-PREROUTING -d 192.168.1.116/32 -j DNAT --to-destination 81.1.180.18",
        "-A neutron-l3-agent-OUTPUT -d 192.168.1.116/32 -j DNAT --to-destination 81.1.180.18",
        "-A neutron-l3-agent-float-snat -s 81.1.180.18/32 -j SNAT --to-source 192.168.1.116",
        "-A neutron-l3-agent-POSTROUTING ! -i " + RFP + " ! -o " + RFP + " -m conntrack ! --ctstate DNAT -j ACCEPT");
    Port fg = fx.api.call(PortServiceGrpcClient.ListPorts, io.dvr.proto.v1.ListPortsRequest.newBuilder()
        .setDeviceOwner("network:floatingip_agent_gateway").setBindingHost("compute1").build()).getPorts(0);
    String fgDev = Names.fgDevice(fg.getId());
    assertThat(c1.ipRoute(FIP)).contains("default via 192.168.1.1 dev " + fgDev,
        "192.168.1.0/24 dev " + fgDev + " proto kernel scope link src " + fg.getFixedIps(0).getIpAddress(),
        "192.168.1.116 via " + rfpIp + " dev " + FPR);
    assertThat(c1.sysctl(FIP, "net.ipv4.conf." + fgDev + ".proxy_arp")).contains("= 1");
    assertThat(c1.sysctl(QROUTER, "net.ipv4.conf." + RFP + ".proxy_arp")).contains("= 0");
    assertThat(fx.host("compute2").iptablesNat(QROUTER)).doesNotContain("192.168.1.116");
  }

  @Test
  @Order(6)
  @DisplayName("ARP tables: every VM and SNAT port of the router's subnets is a permanent neighbour on every host")
  void arpTables() {
    for (String host : List.of("network", "compute1", "compute2")) {
      assertThat(fx.host(host).ipNeigh(QROUTER)).as(host).contains(
          "90.1.180.6 dev " + qr("90.1.180.0/24") + " lladdr " + seed.vm2.getMacAddress() + " PERMANENT",
          "81.1.180.18 dev " + qr("81.1.180.0/24") + " lladdr " + seed.vm1.getMacAddress() + " PERMANENT",
          iface("91.1.180.0/24").getSnatIpAddress() + " dev " + qr("91.1.180.0/24") + " lladdr "
              + port(iface("91.1.180.0/24").getSnatPortId()).getMacAddress() + " PERMANENT");
    }
  }

  @Test
  @Order(7)
  @DisplayName("OVS: DVR MAC flows for every other host, source MAC rewrite for each interface, local VM delivery")
  void flows() {
    Map<String, String> macs = dvrMacs();
    String brInt = fx.host("compute1").dumpFlows("br-int");
    String brTun = fx.host("compute1").dumpFlows("br-tun");
    for (String other : List.of("network", "compute2")) {
      assertThat(brInt).containsPattern("table=0, priority=2,in_port=\\d+,dl_src=" + macs.get(other) + " actions=resubmit\\(,1\\)");
      assertThat(brTun).containsPattern("table=9, priority=1,dl_src=" + macs.get(other) + " actions=output:\\d+");
    }
    assertThat(brInt).doesNotContain("dl_src=" + macs.get("compute1"));
    for (RouterInterface i : router.getInterfacesList()) {
      assertThat(brTun).containsPattern("table=1, priority=1,dl_vlan=\\d+,dl_src=" + i.getMacAddress()
          + " actions=mod_dl_src:" + macs.get("compute1") + ",resubmit\\(,2\\)");
      assertThat(brTun).containsPattern("table=1, priority=3,arp,dl_vlan=\\d+,nw_dst=" + i.getIpAddress() + " actions=drop");
    }
    assertThat(brInt).containsPattern("table=1, priority=4,dl_vlan=\\d+,dl_dst=" + seed.vm1.getMacAddress()
        + " actions=strip_vlan,mod_dl_src:" + iface("81.1.180.0/24").getMacAddress() + ",output:\\d+");
    assertThat(brInt).containsPattern("table=1, priority=2,ip,dl_vlan=\\d+,nw_dst=81.1.180.0/24 actions=strip_vlan,mod_dl_src:"
        + iface("81.1.180.0/24").getMacAddress() + ",output:\\d+");
    assertThat(brInt).contains("table=0, priority=1 actions=NORMAL", "table=1, priority=1 actions=drop",
        "table=23, priority=0 actions=drop");
  }

  @Test
  @Order(8)
  @DisplayName("dvrctl host-state reaches the agent through the API, like ip netns exec NS ip rule on the host")
  void hostStateThroughTheApi() {
    HostStateListing listing = fx.api.call(AgentServiceGrpcClient.GetHostState,
        GetHostStateRequest.newBuilder().setHost("compute1").setNamespace(QROUTER).build());
    assertThat(listing.getSectionsList()).extracting(ListingSection::getTitle).contains(QROUTER + ": ip rule",
        QROUTER + ": ip route list table 16");
    assertThat(listing.getSectionsList()).allSatisfy(s -> assertThat(s.getTitle()).startsWith(QROUTER + ":"));

    // A namespace the host does not have is NOT_FOUND naming it and the host, not an empty listing.
    RpcFailure missing = fx.api.fail(AgentServiceGrpcClient.GetHostState,
        GetHostStateRequest.newBuilder().setHost("compute1").setNamespace("qrouter-nosuchrouter").build());
    assertThat(missing.status()).as(missing.getMessage()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(missing.detail()).isEqualTo("namespace 'qrouter-nosuchrouter' not found on host 'compute1'");

    // Asked on an agent's own port, another host's name is NOT_FOUND too, not this host's state.
    ApiClient agent = new ApiClient(fx.vertx, fx.lab.agent("compute1").port());
    assertThat(agent.call(HostAgentServiceGrpcClient.GetHostState, GetHostStateRequest.newBuilder().setHost("compute1")
        .setNamespace(QROUTER).build()).getHost()).isEqualTo("compute1");
    RpcFailure other = agent.fail(HostAgentServiceGrpcClient.GetHostState,
        GetHostStateRequest.newBuilder().setHost("compute2").build());
    assertThat(other.status()).as(other.getMessage()).isEqualTo(GrpcStatus.NOT_FOUND);
    assertThat(other.detail()).isEqualTo("host 'compute2' not found: this is the agent of host 'compute1'");
  }

  @Test
  @Order(9)
  @DisplayName("a network's MTU changed: its qr- devices on every host and its SNAT port follow; other devices keep theirs")
  void networkMtuChanged() {
    assertThat(mtus("81.1.180.")).containsOnly(1450);
    assertThat(mtus("192.168.1.")).containsOnly(1500);
    fx.api.call(NetworkServiceGrpcClient.UpdateNetwork,
        UpdateNetworkRequest.newBuilder().setId(seed.net1.getId()).setMtu(1400).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      // qr- on network, compute1 and compute2, and sg- in snat- on network.
      assertThat(mtus("81.1.180.")).hasSize(4).containsOnly(1400);
      assertThat(mtus("192.168.1.")).containsOnly(1500);
    });
    fx.awaitConverged();
    fx.api.call(NetworkServiceGrpcClient.UpdateNetwork,
        UpdateNetworkRequest.newBuilder().setId(seed.net1.getId()).setMtu(1450).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(mtus("81.1.180.")).containsOnly(1450));
    fx.awaitConverged();
  }

  /** The MTU of every router device on every host holding an address that starts so. */
  static List<Integer> mtus(String addressPrefix) {
    List<Integer> mtus = new ArrayList<>();
    for (String host : List.of("network", "compute1", "compute2")) {
      fx.host(host).observe().namespaces().values().forEach(ns -> ns.devices().values().stream()
          .filter(d -> d.addresses().stream().anyMatch(a -> a.toString().startsWith(addressPrefix)))
          .forEach(d -> mtus.add(d.mtu())));
    }
    return mtus;
  }

  @Test
  @Order(10)
  @DisplayName("FIP removed then re-added: rule, table 16, link-local pair and fip- go with the last FIP and come back")
  void floatingIpLifecycle() {
    fx.api.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
        DisassociateFloatingIpRequest.newBuilder().setId(seed.fip.getId()).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      MemoryHost c1 = fx.host("compute1");
      assertThat(c1.ipNetns()).doesNotContain(FIP);
      assertThat(c1.ipRule(QROUTER)).doesNotContain("lookup 16");
      assertThat(c1.ipAddr(QROUTER)).doesNotContain(RFP, "169.254.");
      assertThat(c1.iptablesNat(QROUTER)).doesNotContain("192.168.1.116");
    });
    fx.awaitConverged();
    fx.api.call(FloatingIpServiceGrpcClient.AssociateFloatingIp,
        AssociateFloatingIpRequest.newBuilder().setId(seed.fip.getId()).setPortId(seed.vm1.getId()).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(fx.host("compute1").ipNetns()).contains(FIP);
      assertThat(fx.host("compute1").ipRule(QROUTER)).contains("from 81.1.180.18 lookup 16");
    });
    fx.awaitConverged();
  }

  @Test
  @Order(11)
  @DisplayName("agent restarted: the same state after its resync, and no operation applied")
  void agentRestart() {
    String before = String.join("\n", fx.host("compute1").sections().values());
    ApiClient.await(fx.lab.restartAgent("compute1", "dvr"));
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fx.lab.agent("compute1").syncedOnce());
    assertThat(fx.lab.agent("compute1").operationsSinceStart()).isZero();
    assertThat(String.join("\n", fx.host("compute1").sections().values())).isEqualTo(before);
  }

  @Test
  @Order(12)
  @DisplayName("interface removed: its rule, table and ARP entries are gone on every host")
  void interfaceRemoved() {
    String qr91 = qr("91.1.180.0/24");
    fx.api.call(RouterServiceGrpcClient.RemoveRouterInterface, RouterInterfaceRequest.newBuilder()
        .setRouterId(SeedTopology.ROUTER_ID).setSubnetId(seed.sub91.getId()).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (String host : List.of("network", "compute1", "compute2")) {
        MemoryHost h = fx.host(host);
        assertThat(h.ipRule(QROUTER)).as(host).doesNotContain("1526838273");
        assertThat(h.ipAddr(QROUTER)).as(host).doesNotContain(qr91, "91.1.180.1/24");
        assertThat(h.ipNeigh(QROUTER)).as(host).doesNotContain("91.1.180.");
        assertThat(h.sections().keySet()).as(host).doesNotContain(QROUTER + ": ip route list table 1526838273");
      }
      assertThat(fx.host("network").iptablesNat(SNAT)).doesNotContain("91.1.180.0/24");
    });
    fx.awaitConverged();
  }

  @Test
  @Order(13)
  @DisplayName("VM moved from compute2 to compute1: the router leaves compute2, where no port of it remains; "
      + "the port is DOWN until compute1 has wired it, then ACTIVE; a port no router of compute1 needs stays DOWN")
  void vmMoved() {
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(port(seed.vm1.getId()).getStatus()).isEqualTo(Status.STATUS_ACTIVE);
      assertThat(port(seed.vm2.getId()).getStatus()).isEqualTo(Status.STATUS_ACTIVE);
    });
    Network isolated = SeedTopology.network(fx.api, "isolated");
    SeedTopology.subnet(fx.api, isolated, "isolated-subnet", "172.29.0.0/24");
    Port lonely = fx.api.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
        .setNetworkId(isolated.getId()).setDeviceOwner("compute:nova").setBindingHost("compute1").build());
    Port moved = fx.api.call(PortServiceGrpcClient.UpdatePort,
        UpdatePortRequest.newBuilder().setId(seed.vm2.getId()).setBindingHost("compute1").build());
    assertThat(moved.getStatus()).isEqualTo(Status.STATUS_DOWN);
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> port(seed.vm2.getId()).getStatus() == Status.STATUS_ACTIVE);
    // The report that made vm2 ACTIVE covered every port bound to compute1: the lonely one is not wired.
    assertThat(port(lonely.getId()).getStatus()).isEqualTo(Status.STATUS_DOWN);
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(hostsOfRouter()).extracting(RouterHost::getHost).containsExactly("compute1", "network");
      assertThat(fx.host("compute2").ipNetns()).doesNotContain(QROUTER);
      assertThat(fx.host("compute1").dumpFlows("br-int")).contains("dl_dst=" + seed.vm2.getMacAddress());
    });
    fx.awaitConverged();
  }

  @Test
  @Order(14)
  @DisplayName("gateway cleared: the snat- namespace is gone from the network node")
  void gatewayCleared() {
    fx.api.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
        DisassociateFloatingIpRequest.newBuilder().setId(seed.fip.getId()).build());
    fx.api.call(RouterServiceGrpcClient.ClearRouterGateway,
        ClearRouterGatewayRequest.newBuilder().setRouterId(SeedTopology.ROUTER_ID).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(fx.host("network").ipNetns()).doesNotContain(SNAT);
      assertThat(fx.host("compute1").ipRule(QROUTER)).doesNotContain("1359066113");
    });
    fx.awaitConverged();
    fx.api.call(RouterServiceGrpcClient.SetRouterGateway, SetRouterGatewayRequest.newBuilder()
        .setRouterId(SeedTopology.ROUTER_ID).setNetworkId(SeedTopology.EXT_NET_ID).build());
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fx.host("network").ipNetns().contains(SNAT));
    fx.awaitConverged();
  }

  @Test
  @Order(15)
  @DisplayName("a new host joins: it gets a DVR MAC and every other host gets flows for it")
  void newHostJoins() {
    ApiClient.await(fx.lab.addHost("compute3", "dvr", 0));
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> fx.routersOf("compute3").getDvrMac().startsWith("fa:16:3f"));
    String mac = fx.routersOf("compute3").getDvrMac();
    assertThat(dvrMacs().values()).doesNotHaveDuplicates();
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      for (String host : List.of("network", "compute1")) {
        assertThat(fx.host(host).dumpFlows("br-int")).as(host).contains("dl_src=" + mac + " actions=resubmit(,1)");
        assertThat(fx.host(host).dumpFlows("br-tun")).as(host).contains("table=9, priority=1,dl_src=" + mac);
      }
    });
    fx.awaitConverged();
  }
}
