package io.dvr.agent.render;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.IpPrefix;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import io.dvr.proto.v1.TunnelNetwork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The br-int and br-tun flows of one host (reference 8). Flows needing a local VLAN or an ofport
 * the host does not have yet are left out until it has them. Table 20 (l2population unicast) is
 * not rendered: the input does not say on which host another host's ports are.
 */
final class OvsFlows {
  private OvsFlows() {}

  private static final String UNICAST = "dl_dst=00:00:00:00:00:00/01:00:00:00:00:00";
  private static final String MULTICAST = "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00";
  private static final String LEARN = "learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],"
      + "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],"
      + "output:NXM_OF_IN_PORT[])";

  /** A VM port (from local_ports) or a SNAT port plugged on this host's br-int. */
  private record LocalPort(RouterInfo router, String portId, String mac, String networkId, String subnetId,
      boolean vm) {}

  /**
   * The flows of the host as a whole: the base tables, the peers' DVR MACs, the tunnel ports and
   * one flow pair per tunnel network. The routers count only through the networks (and their
   * segmentation ids) of their ports, which {@link RouterPart#footprint} names.
   */
  static void hostFlows(HostRouters in, HostFacts f, List<RouterInfo> carried, List<Flow> brInt, List<Flow> brTun) {
    base(f, brInt, brTun);
    for (String mac : remoteDvrMacs(in, f)) {
      brInt.add(flow(Names.INT_LOCAL_SWITCHING, Names.PRIO_FROM_DVR_MAC,
          "in_port=" + f.patchTunOfport() + ",dl_src=" + mac, "resubmit(," + Names.INT_DVR_TO_SRC_MAC + ")"));
      brTun.add(flow(Names.TUN_DVR_NOT_LEARN, Names.PRIO_NOT_LEARN, "dl_src=" + mac, "output:" + f.patchIntOfport()));
    }
    List<Integer> tunnelPorts = tunnelPorts(in, f);
    tunnelPorts.forEach(p -> brTun.add(flow(Names.TUN_PATCH_INT_IN, 1, "in_port=" + p,
        "resubmit(," + f.tunnelType().table() + ")")));
    String floodOutputs = tunnelPorts.stream().map(p -> "output:" + p).collect(Collectors.joining(","));
    tunnelNetworks(in, f, carried).forEach((network, seg) -> f.vlanOf(network).ifPresent(vlan -> {
      String tunId = "0x" + Long.toHexString(seg);
      brTun.add(flow(f.tunnelType().table(), Names.PRIO_TUN_TO_LV, "tun_id=" + tunId,
          "mod_vlan_vid:" + vlan + ",resubmit(," + Names.TUN_DVR_NOT_LEARN + ")"));
      if (!tunnelPorts.isEmpty()) {
        brTun.add(flow(Names.TUN_FLOOD_TO_TUN, Flow.DEFAULT_PRIORITY, "dl_vlan=" + vlan,
            "strip_vlan,set_tunnel:" + tunId + "," + floodOutputs));
      }
    }));
  }

  /** The flows one carried router adds: its interfaces' on br-tun, its local ports' on br-int. */
  static void routerFlows(HostRouters in, RouterInfo r, HostFacts f, List<Flow> brInt, List<Flow> brTun) {
    routerInterfaces(r, f, brTun);
    localPorts(in, r, f, brInt);
    snatHandover(r, f, brTun);
  }

  /**
   * A host handing an HA router's SNAT over (RouterInfo.ha_handover) passes the IP frames reaching
   * it from a tunnel for the sg- MACs straight on to the new active host's tunnel, same segment: the
   * hosts whose learnt entry still points here get the replies from that host and learn it. Only IP:
   * routed frames carry their host's DVR MAC, which br-tun does not learn, whereas a VM's ARP reply
   * passed on would teach the new host this host's tunnel for the VM's MAC (the new host needs no
   * ARP anyway: an HA router's snat- holds the router's ARP table, {@link CentralSnat}).
   */
  private static void snatHandover(RouterInfo r, HostFacts f, List<Flow> brTun) {
    String to = r.getHaActiveHost();
    Integer ofport = f.tunnelOfports().get(to);
    if (!r.getHaHandover() || !CentralSnat.isHere(r, f) || to.equals(f.host()) || ofport == null) {
      return;
    }
    for (RouterPortInfo port : CentralSnat.snatPorts(r)) {
      long seg = Integer.toUnsignedLong(port.getSegmentationId());
      if (seg != 0) {
        brTun.add(flow(f.tunnelType().table(), Names.PRIO_SNAT_HANDOVER,
            "ip,tun_id=0x" + Long.toHexString(seg) + ",dl_dst=" + port.getMacAddress().toLowerCase(), "output:" + ofport));
      }
    }
  }

  private static void base(HostFacts f, List<Flow> brInt, List<Flow> brTun) {
    brInt.add(flow(Names.INT_LOCAL_SWITCHING, 1, "", "NORMAL"));
    brInt.add(flow(Names.INT_DVR_TO_SRC_MAC, 1, "", "drop"));
    brInt.add(flow(Names.INT_CANARY, 0, "", "drop"));
    brTun.add(flow(Names.TUN_PATCH_INT_IN, 1, "in_port=" + f.patchIntOfport(), "resubmit(," + Names.TUN_DVR_PROCESS + ")"));
    brTun.add(flow(Names.TUN_PATCH_INT_IN, 0, "", "drop"));
    brTun.add(flow(Names.TUN_DVR_PROCESS, 0, "", "resubmit(," + Names.TUN_PATCH_LV_TO_TUN + ")"));
    brTun.add(flow(Names.TUN_PATCH_LV_TO_TUN, 0, UNICAST, "resubmit(," + Names.TUN_UCAST_TO_TUN + ")"));
    brTun.add(flow(Names.TUN_PATCH_LV_TO_TUN, 0, MULTICAST, "resubmit(," + Names.TUN_FLOOD_TO_TUN + ")"));
    brTun.add(flow(Names.TUN_GRE_TO_LV, 0, "", "drop"));
    brTun.add(flow(Names.TUN_VXLAN_TO_LV, 0, "", "drop"));
    brTun.add(flow(Names.TUN_DVR_NOT_LEARN, 0, "", "resubmit(," + Names.TUN_LEARN_FROM_TUN + ")"));
    brTun.add(flow(Names.TUN_LEARN_FROM_TUN, 1, "", LEARN + ",output:" + f.patchIntOfport()));
    brTun.add(flow(Names.TUN_UCAST_TO_TUN, 0, "", "resubmit(," + Names.TUN_FLOOD_TO_TUN + ")"));
    brTun.add(flow(Names.TUN_FLOOD_TO_TUN, 0, "", "drop"));
  }

  /** Frames leaving with a router interface MAC get the host's DVR MAC; the gateway's ARP and MAC stay local. */
  private static void routerInterfaces(RouterInfo r, HostFacts f, List<Flow> brTun) {
    for (RouterPortInfo port : RouterLocal.interfaces(r)) {
      OptionalInt vlan = f.vlanOf(port.getNetworkId());
      if (vlan.isEmpty()) {
        continue;
      }
      String v = "dl_vlan=" + vlan.getAsInt();
      String mac = port.getMacAddress().toLowerCase();
      brTun.add(flow(Names.TUN_DVR_PROCESS, Names.PRIO_GATEWAY_ARP_DROP, "arp," + v + ",nw_dst=" + port.getIpAddress(), "drop"));
      brTun.add(flow(Names.TUN_DVR_PROCESS, Names.PRIO_GATEWAY_MAC_DROP, v + ",dl_dst=" + mac, "drop"));
      brTun.add(flow(Names.TUN_DVR_PROCESS, Names.PRIO_GATEWAY_SRC_REWRITE, v + ",dl_src=" + mac,
          "mod_dl_src:" + f.dvrMac() + ",resubmit(," + Names.TUN_PATCH_LV_TO_TUN + ")"));
    }
  }

  /** Frames routed by a remote host's copy of the router reach local ports with the local gateway MAC. */
  private static void localPorts(HostRouters in, RouterInfo r, HostFacts f, List<Flow> brInt) {
    List<LocalPort> ports = new ArrayList<>();
    HostParts.localPorts(in, r).forEach(p -> ports.add(
        new LocalPort(r, p.getPortId(), p.getMacAddress(), p.getNetworkId(), p.getSubnetId(), true)));
    if (CentralSnat.isHere(r, f)) {
      CentralSnat.snatPorts(r).forEach(p -> ports.add(
          new LocalPort(r, p.getPortId(), p.getMacAddress(), p.getNetworkId(), p.getSubnetId(), false)));
    }
    Map<String, SortedSet<Integer>> vmOfportsBySubnet = new TreeMap<>();
    for (LocalPort p : ports) {
      var gateway = RouterLocal.gatewayOf(r, p.subnetId());
      OptionalInt vlan = f.vlanOf(p.networkId());
      OptionalInt ofport = f.ofportOf(p.portId());
      if (gateway.isEmpty() || vlan.isEmpty() || ofport.isEmpty()) {
        continue;
      }
      brInt.add(flow(Names.INT_DVR_TO_SRC_MAC, Names.PRIO_LOCAL_PORT,
          "dl_vlan=" + vlan.getAsInt() + ",dl_dst=" + p.mac().toLowerCase(),
          "strip_vlan,mod_dl_src:" + gateway.get().getMacAddress().toLowerCase() + ",output:" + ofport.getAsInt()));
      if (p.vm()) {
        vmOfportsBySubnet.computeIfAbsent(p.subnetId(), k -> new TreeSet<>()).add(ofport.getAsInt());
      }
    }
    vmOfportsBySubnet.forEach((subnetId, ofports) -> {
      RouterPortInfo gateway = RouterLocal.gatewayOf(r, subnetId).orElseThrow();
      int vlan = f.vlanOf(gateway.getNetworkId()).orElse(-1);
      if (vlan < 0) {
        return;
      }
      String outputs = ofports.stream().map(o -> "output:" + o).collect(Collectors.joining(","));
      brInt.add(flow(Names.INT_DVR_TO_SRC_MAC, Names.PRIO_LOCAL_SUBNET,
          "ip,dl_vlan=" + vlan + ",nw_dst=" + Ports.cidr(gateway),
          "strip_vlan,mod_dl_src:" + gateway.getMacAddress().toLowerCase() + "," + outputs));
    });
  }

  private static SortedSet<String> remoteDvrMacs(HostRouters in, HostFacts f) {
    SortedSet<String> macs = new TreeSet<>();
    for (DvrHostMac m : HostParts.peerMacs(in)) {
      String mac = m.getMacAddress().toLowerCase();
      if (!m.getHost().equals(f.host()) && !mac.isEmpty() && !mac.equals(f.dvrMac())) {
        macs.add(mac);
      }
    }
    return macs;
  }

  /** Tunnel ofports ordered by the peer's tunnel endpoint address, as tunnel port names are. */
  private static List<Integer> tunnelPorts(HostRouters in, HostFacts f) {
    Map<String, String> endpoints = HostParts.tunnelEndpoints(in);
    Comparator<String> byEndpoint = Comparator.comparingLong(
        (String host) -> endpoints.containsKey(host) ? IpPrefix.toLong(endpoints.get(host)) : Long.MAX_VALUE);
    return f.tunnelOfports().keySet().stream().filter(h -> !h.equals(f.host()))
        .sorted(byEndpoint.thenComparing(Comparator.naturalOrder()))
        .map(h -> f.tunnelOfports().get(h)).toList();
  }

  /** Segmentation id per network: the networks sent, plus those of the router ports rendered here. */
  private static SortedMap<String, Long> tunnelNetworks(HostRouters in, HostFacts f, List<RouterInfo> carried) {
    SortedMap<String, Long> networks = new TreeMap<>();
    for (TunnelNetwork n : in.getNetworksList()) {
      putSegment(networks, n.getNetworkId(), n.getSegmentationId());
    }
    for (RouterInfo r : carried) {
      RouterLocal.interfaces(r).forEach(p -> putSegment(networks, p.getNetworkId(), p.getSegmentationId()));
      if (CentralSnat.isHere(r, f)) {
        CentralSnat.snatPorts(r).forEach(p -> putSegment(networks, p.getNetworkId(), p.getSegmentationId()));
      }
    }
    return networks;
  }

  private static void putSegment(Map<String, Long> networks, String network, int segmentationId) {
    long seg = Integer.toUnsignedLong(segmentationId);
    if (network.isEmpty() || seg == 0) {
      return;
    }
    Long old = networks.putIfAbsent(network, seg);
    if (old != null && old != seg) {
      throw new IllegalArgumentException("network " + network + " has two segmentation ids: " + old + " and " + seg);
    }
  }

  private static Flow flow(int table, int priority, String match, String actions) {
    return new Flow(table, priority, match, actions, Names.FLOW_COOKIE);
  }
}
