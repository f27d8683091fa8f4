package io.dvr.agent.driver.linux;

import static io.dvr.agent.fixtures.SeedTopology.arp;
import static io.dvr.agent.fixtures.SeedTopology.local;
import static io.dvr.agent.fixtures.SeedTopology.peer;
import static io.dvr.agent.fixtures.SeedTopology.plug;
import static io.dvr.agent.fixtures.SeedTopology.port;

import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.Names;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import io.dvr.proto.v1.TunnelNetwork;
import java.util.List;
import java.util.UUID;

/**
 * A small DVR router with fresh random ids, so that its namespaces never meet another test's: two
 * subnets (qr- in qrouter-), central SNAT here (snat- with qg- and two sg-), one floating IP for a
 * local VM (rfp-/fpr-, fip- with fg-).
 */
final class SmallRouter {
  final String routerId = UUID.randomUUID().toString();
  final String extNet = UUID.randomUUID().toString();
  final String netA = UUID.randomUUID().toString();
  final String netB = UUID.randomUUID().toString();
  static final String VM_MAC = "fa:16:3e:10:00:18";
  final String vm = UUID.randomUUID().toString();
  final RouterPortInfo ifA = port(id(), "fa:16:3e:10:00:01", "10.61.0.1", "10.61.0.0/24", id(), netA, 61, "10.61.0.5", "");
  final RouterPortInfo ifB = port(id(), "fa:16:3e:10:00:02", "10.62.0.1", "10.62.0.0/24", id(), netB, 62, "10.62.0.5", "");
  final RouterPortInfo gateway =
      port(id(), "fa:16:3e:10:00:03", "192.168.61.115", "192.168.61.0/24", id(), extNet, 0, "", "192.168.61.1");
  final RouterPortInfo sgA = port(id(), "fa:16:3e:10:00:04", "10.61.0.5", "10.61.0.0/24", ifA.getSubnetId(), netA, 61, "", "");
  final RouterPortInfo sgB = port(id(), "fa:16:3e:10:00:05", "10.62.0.5", "10.62.0.0/24", ifB.getSubnetId(), netB, 62, "", "");
  final RouterPortInfo fg =
      port(id(), "fa:16:3e:10:00:06", "192.168.61.117", "192.168.61.0/24", gateway.getSubnetId(), extNet, 0, "", "192.168.61.1");
  final FloatingIpInfo fip = FloatingIpInfo.newBuilder().setFloatingIpId(id()).setFloatingIpAddress("192.168.61.112")
      .setFixedIpAddress("10.61.0.18").setPortId(vm).setFloatingNetworkId(extNet).build();

  static final String HOST = "lab";
  static final String DVR_MAC = "fa:16:3f:00:00:61";

  private static String id() {
    return UUID.randomUUID().toString();
  }

  String qrouter() {
    return Names.qrouterNamespace(routerId);
  }

  String snat() {
    return Names.snatNamespace(routerId);
  }

  String fipNs() {
    return Names.fipNamespace(extNet);
  }

  RouterInfo.Builder router(boolean withFip) {
    RouterInfo.Builder r = RouterInfo.newBuilder().setRouterId(routerId).setRevision(1).setAdminStateUp(true)
        .setDistributed(true).addInterfaces(ifA).addInterfaces(ifB).setGatewayPort(gateway).setSnatHere(true)
        .addSnatPorts(sgA).addSnatPorts(sgB).addLocalPortIds(vm)
        .addArpEntries(arp("10.61.0.18", VM_MAC, ifA.getSubnetId(), vm))
        .addArpEntries(arp("10.62.0.9", "fa:16:3e:10:00:09", ifB.getSubnetId(), id()));
    if (withFip) {
      r.addFloatingIps(fip).setFipAgentGateway(fg);
    }
    return r;
  }

  HostRouters routers(boolean withFip) {
    HostRouters.Builder host = HostRouters.newBuilder().setHost(HOST).setAgentMode("dvr_snat").setDvrMac(DVR_MAC)
        .addPeers(peer(HOST, "", "172.31.9.1")).addPeers(peer("peer", "fa:16:3f:00:00:62", "172.31.9.2"))
        .addNetworks(TunnelNetwork.newBuilder().setNetworkId(netA).setSegmentationId(61))
        .addNetworks(TunnelNetwork.newBuilder().setNetworkId(netB).setSegmentationId(62));
    RouterInfo.Builder router = router(withFip);
    plug(host, router, List.of(local(vm, VM_MAC, netA, ifA.getSubnetId(), "10.61.0.18")));
    return host.addRouters(router).build();
  }

  /** Facts with made-up ofports, for tests that run plans without the dataplane shell. */
  HostFacts facts(HostRouters routers) {
    return HostFacts.initial(HOST, "dvr_snat", DVR_MAC, TunnelType.VXLAN, 1, 1).withTunnelPort("peer", 3)
        .withPortOfport(vm, 5).withPortOfport(sgA.getPortId(), 6).withPortOfport(sgB.getPortId(), 7).allocate(routers);
  }

  static List<String> namespacesOf(SmallRouter r) {
    return List.of(r.qrouter(), r.snat(), r.fipNs());
  }
}
