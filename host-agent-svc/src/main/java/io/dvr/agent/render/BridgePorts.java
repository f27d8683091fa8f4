package io.dvr.agent.render;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.OvsPort;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The OVS ports of one host, as Neutron's OVS agent keeps them next to the L3 agent: on br-int the
 * local VLAN tag of each router port (qr-, and sg- where central SNAT is here) and of each VM port
 * of a local port (tagged when the hypervisor has plugged it; the agent never makes VM ports); on
 * br-tun one tunnel port per peer host ({@link Names#tunnelPort}, marked with the peer), when this
 * host has a tunnel endpoint. Ports whose VLAN is not allocated carry no tag. Ports on br-ex carry
 * nothing to reconcile: they come and go with their devices.
 */
final class BridgePorts {
  private BridgePorts() {}

  /** The rendered bridges with their ports added. */
  static SortedMap<String, BridgeState> addTo(SortedMap<String, BridgeState> bridges, HostRouters in, HostFacts f,
      List<RouterInfo> carried) {
    SortedMap<String, BridgeState> out = new TreeMap<>(bridges);
    out.merge(Names.BR_INT, BridgeState.of(Names.BR_INT, List.of(), brInt(in, f, carried)), BridgePorts::withPorts);
    out.merge(Names.BR_TUN, BridgeState.of(Names.BR_TUN, List.of(), brTun(in, f)), BridgePorts::withPorts);
    return out;
  }

  private static BridgeState withPorts(BridgeState flows, BridgeState ports) {
    return new BridgeState(flows.name(), flows.flows(), ports.ports());
  }

  private static List<OvsPort> brInt(HostRouters in, HostFacts f, List<RouterInfo> carried) {
    List<OvsPort> ports = new ArrayList<>();
    carried.forEach(r -> ports.addAll(routerPorts(in, r, f)));
    return ports;
  }

  /** The br-int ports one carried router tags: its qr- (and sg- where SNAT is here) and its VM ports. */
  static List<OvsPort> routerPorts(HostRouters in, RouterInfo r, HostFacts f) {
    List<OvsPort> ports = new ArrayList<>();
    String qrouter = Names.qrouterNamespace(r.getRouterId());
    for (RouterPortInfo p : RouterLocal.interfaces(r)) {
      ports.add(OvsPort.plugged(qrouter, Names.qrDevice(p.getPortId()), tag(f, p.getNetworkId())));
    }
    if (CentralSnat.isHere(r, f)) {
      String snat = Names.snatNamespace(r.getRouterId());
      for (RouterPortInfo p : CentralSnat.snatPorts(r)) {
        ports.add(OvsPort.plugged(snat, Names.sgDevice(p.getPortId()), tag(f, p.getNetworkId())));
      }
    }
    for (LocalPortInfo p : HostParts.localPorts(in, r)) {
      ports.add(OvsPort.vm(p.getPortId(), tag(f, p.getNetworkId())));
    }
    return ports;
  }

  private static int tag(HostFacts f, String networkId) {
    return f.vlanOf(networkId).orElse(OvsPort.NO_TAG);
  }

  /** One tunnel port per peer endpoint other than this host's own; none without a local endpoint. */
  private static List<OvsPort> brTun(HostRouters in, HostFacts f) {
    List<OvsPort> ports = new ArrayList<>();
    if (f.tunnelIp().isEmpty()) {
      return ports;
    }
    for (Map.Entry<String, String> e : HostParts.tunnelEndpoints(in).entrySet()) {
      String peer = e.getKey();
      String ip = e.getValue();
      if (peer.equals(f.host()) || ip.isEmpty() || ip.equals(f.tunnelIp())) {
        continue;
      }
      String name;
      try {
        name = Names.tunnelPort(ip);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("tunnel endpoint of host " + peer + " is '" + ip + "', not an IPv4 address",
            bad);
      }
      ports.add(OvsPort.tunnel(name, f.tunnelType().ovsType(), ip, f.tunnelIp(), peer));
    }
    return ports;
  }
}
