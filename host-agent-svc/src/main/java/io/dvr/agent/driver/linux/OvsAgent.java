package io.dvr.agent.driver.linux;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.Names;
import io.dvr.agent.render.TunnelType;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What Neutron's OVS agent does next to the L3 agent, reduced to what DVR flows need: tunnel ports
 * on br-tun to every peer ({@code vxlan-<peer IP in hex>}, as Neutron names them), the local VLAN
 * tag on br-int of router ports and of VM ports (found by {@code external_ids:iface-id}), and the
 * ofports the renderer needs. Which routers and ports count follows the renderer's rules.
 */
final class OvsAgent {
  private OvsAgent() {}

  static final String PATCH_TUN = "patch-tun";
  static final String PATCH_INT = "patch-int";

  /** The routers the renderer renders (HostRenderer.carried). */
  static List<RouterInfo> carried(HostRouters routers) {
    return routers.getRoutersList().stream()
        .filter(r -> r.getAdminStateUp() && r.getDistributed() && !r.getRouterId().isEmpty()).toList();
  }

  /** SNAT ports are plugged here (CentralSnat.isHere). */
  static boolean snatHere(RouterInfo r, HostFacts facts) {
    return facts.isDvrSnat() && r.getSnatHere() && !r.getGatewayPort().getPortId().isEmpty();
  }

  static String tunnelPort(String peerIp) {
    long ip = IpPrefix.toLong(peerIp);
    return String.format("vxlan-%08x", ip);
  }

  /**
   * ovs-vsctl arguments adding the missing tunnel ports (marked with the peer's name) and
   * removing those the agent made for peers that are gone or moved to another address; empty
   * when nothing changes. Tunnel ports made by others (not marked) are left alone.
   */
  static List<String> tunnelChanges(HostRouters routers, String host, String localIp, TunnelType type, OvsPorts ports) {
    List<String> argv = new ArrayList<>();
    Set<String> wanted = new TreeSet<>();
    for (Map.Entry<String, String> e : new TreeMap<>(routers.getTunnelEndpointsMap()).entrySet()) {
      if (e.getKey().equals(host) || e.getValue().equals(localIp) || e.getValue().isEmpty()) {
        continue;
      }
      String name = tunnelPort(e.getValue());
      wanted.add(name);
      if (ports.byName(name).isEmpty()) {
        argv.addAll(List.of("--", "--may-exist", "add-port", Names.BR_TUN, name, "--", "set", "Interface", name,
            "type=" + type.name().toLowerCase(), "options:remote_ip=" + Args.ip(e.getValue()),
            "options:local_ip=" + Args.ip(localIp), "options:in_key=flow", "options:out_key=flow",
            "external_ids:" + OvsPorts.PEER_KEY + "=" + Args.name(e.getKey())));
      }
    }
    for (OvsPorts.Iface i : ports.interfaces()) {
      if (i.bridge().equals(Names.BR_TUN) && i.externalIds().containsKey(OvsPorts.PEER_KEY) && !wanted.contains(i.name())) {
        argv.addAll(List.of("--", "--if-exists", "del-port", Names.BR_TUN, Args.name(i.port())));
      }
    }
    return argv;
  }

  /** The host's facts with the ofports OVS has now: patch ports, tunnel ports, plugged VM and SNAT ports. */
  static HostFacts withOfports(HostFacts previous, HostRouters routers, OvsPorts ports) {
    int patchTun = ofport(ports, PATCH_TUN, Names.BR_INT);
    int patchInt = ofport(ports, PATCH_INT, Names.BR_TUN);
    SortedMap<String, Integer> tunnels = new TreeMap<>();
    for (Map.Entry<String, String> e : routers.getTunnelEndpointsMap().entrySet()) {
      if (!e.getKey().equals(previous.host()) && !e.getValue().isEmpty()) {
        var port = ports.byName(tunnelPort(e.getValue()));
        if (port.isPresent() && port.get().ofport() > 0) {
          tunnels.put(e.getKey(), port.get().ofport());
        }
      }
    }
    SortedMap<String, Integer> plugged = new TreeMap<>();
    for (RouterInfo r : carried(routers)) {
      for (LocalPortInfo p : r.getLocalPortsList()) {
        var port = ports.byIfaceId(p.getPortId());
        if (port.isPresent() && port.get().ofport() > 0) {
          plugged.put(p.getPortId(), port.get().ofport());
        }
      }
      if (snatHere(r, previous)) {
        for (RouterPortInfo p : r.getSnatPortsList()) {
          var port = ports.byDevice(Names.sgDevice(p.getPortId()));
          if (port.isPresent() && port.get().ofport() > 0) {
            plugged.put(p.getPortId(), port.get().ofport());
          }
        }
      }
    }
    return new HostFacts(previous.host(), previous.agentMode(), routers.getDvrMac(), previous.tunnelType(),
        patchTun, patchInt, tunnels, plugged, previous.localVlans(), previous.fipPriorities(), previous.linkLocalPairs());
  }

  /** Wanted VLAN tag by OVS port name on br-int, for the ports that exist. */
  static SortedMap<String, Integer> tags(HostRouters routers, HostFacts facts, OvsPorts ports) {
    SortedMap<String, Integer> tags = new TreeMap<>();
    for (RouterInfo r : carried(routers)) {
      for (RouterPortInfo p : r.getInterfacesList()) {
        tag(tags, ports.byDevice(Names.qrDevice(p.getPortId())), facts.localVlans().valueOf(p.getNetworkId()));
      }
      if (snatHere(r, facts)) {
        for (RouterPortInfo p : r.getSnatPortsList()) {
          tag(tags, ports.byDevice(Names.sgDevice(p.getPortId())), facts.localVlans().valueOf(p.getNetworkId()));
        }
      }
      for (LocalPortInfo p : r.getLocalPortsList()) {
        tag(tags, ports.byIfaceId(p.getPortId()), facts.localVlans().valueOf(p.getNetworkId()));
      }
    }
    return tags;
  }

  private static void tag(SortedMap<String, Integer> tags, java.util.Optional<OvsPorts.Iface> port, OptionalInt vlan) {
    if (port.isPresent() && vlan.isPresent() && port.get().bridge().equals(Names.BR_INT)) {
      tags.put(port.get().port(), vlan.getAsInt());
    }
  }

  /** ovs-vsctl arguments setting the tags that differ, or empty. */
  static List<String> tagChanges(SortedMap<String, Integer> wanted, OvsPorts ports) {
    List<String> argv = new ArrayList<>();
    wanted.forEach((port, vlan) -> {
      boolean same = ports.interfaces().stream().anyMatch(i -> i.port().equals(port) && i.tag() == vlan);
      if (!same) {
        argv.addAll(List.of("--", "set", "Port", Args.name(port), "tag=" + vlan));
      }
    });
    return argv;
  }

  private static int ofport(OvsPorts ports, String name, String bridge) {
    return ports.byName(name).filter(i -> i.bridge().equals(bridge) && i.ofport() > 0).map(OvsPorts.Iface::ofport)
        .orElseThrow(() -> new IllegalStateException("bridge " + bridge + " has no port " + name
            + " with an ofport; the host's Open vSwitch is not set up (labnet/host.sh makes it)"));
  }
}
