package io.dvr.agent.render;

import io.dvr.common.model.AgentModes;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import io.dvr.proto.v1.TunnelNetwork;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the host knows that the control plane does not: its name and mode, its DVR MAC, its tunnel
 * type and endpoint ({@code tunnelIp}; empty: the agent makes no tunnel ports), OVS ofports (patch ports, one tunnel port per peer host on br-tun, one per plugged port id on
 * br-int), and its allocations: local VLAN per network, FIP rule priority per fixed IP (keyed by
 * {@link Names#fipRuleKey}), link-local pair index per router.
 */
public record HostFacts(String host, String agentMode, String dvrMac, TunnelType tunnelType, String tunnelIp,
    int patchTunOfport,
    int patchIntOfport, SortedMap<String, Integer> tunnelOfports, SortedMap<String, Integer> portOfports,
    Allocations localVlans, Allocations fipPriorities, Allocations linkLocalPairs) {

  public HostFacts {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host facts need a host name");
    }
    if (!AgentModes.DVR.equals(agentMode) && !AgentModes.DVR_SNAT.equals(agentMode)) {
      throw new IllegalArgumentException("host " + host + ": agent mode '" + agentMode + "' is not dvr or dvr_snat");
    }
    dvrMac = dvrMac == null ? "" : dvrMac.toLowerCase();
    Objects.requireNonNull(tunnelType, "tunnelType");
    tunnelIp = tunnelIp == null ? "" : tunnelIp;
    tunnelOfports = Collections.unmodifiableSortedMap(new TreeMap<>(tunnelOfports));
    portOfports = Collections.unmodifiableSortedMap(new TreeMap<>(portOfports));
  }

  /** Facts of a host before any port is plugged or anything allocated. */
  public static HostFacts initial(String host, String agentMode, String dvrMac, TunnelType tunnelType,
      int patchTunOfport, int patchIntOfport) {
    return new HostFacts(host, agentMode, dvrMac, tunnelType, "", patchTunOfport, patchIntOfport, new TreeMap<>(),
        new TreeMap<>(), Allocations.empty(Names.VLAN_FIRST, Names.VLAN_LAST),
        Allocations.empty(Names.FIP_PRIORITY_FIRST, Names.FIP_PRIORITY_LAST),
        Allocations.empty(0, Names.LINK_LOCAL_PAIRS - 1));
  }

  public boolean isDvrSnat() {
    return AgentModes.DVR_SNAT.equals(agentMode);
  }

  public HostFacts withTunnelPort(String peerHost, int ofport) {
    Map<String, Integer> next = new TreeMap<>(tunnelOfports);
    next.put(peerHost, ofport);
    return new HostFacts(host, agentMode, dvrMac, tunnelType, tunnelIp, patchTunOfport, patchIntOfport,
        new TreeMap<>(next), portOfports, localVlans, fipPriorities, linkLocalPairs);
  }

  public HostFacts withPortOfport(String portId, int ofport) {
    Map<String, Integer> next = new TreeMap<>(portOfports);
    next.put(portId, ofport);
    return new HostFacts(host, agentMode, dvrMac, tunnelType, tunnelIp, patchTunOfport, patchIntOfport, tunnelOfports,
        new TreeMap<>(next), localVlans, fipPriorities, linkLocalPairs);
  }

  /** These facts on a host whose tunnel endpoint is {@code ip} (empty: none). */
  public HostFacts withTunnelIp(String ip) {
    return new HostFacts(host, agentMode, dvrMac, tunnelType, ip, patchTunOfport, patchIntOfport, tunnelOfports,
        portOfports, localVlans, fipPriorities, linkLocalPairs);
  }

  public HostFacts withAllocations(Allocations vlans, Allocations fipRules, Allocations pairs) {
    return new HostFacts(host, agentMode, dvrMac, tunnelType, tunnelIp, patchTunOfport, patchIntOfport, tunnelOfports,
        portOfports, vlans, fipRules, pairs);
  }

  /**
   * These facts with allocations for exactly what {@code routers} need on this host: existing
   * values kept, unneeded ones released, new ones the lowest free.
   */
  public HostFacts allocate(HostRouters routers) {
    SortedSet<String> networks = new TreeSet<>();
    SortedSet<String> fipKeys = new TreeSet<>();
    SortedSet<String> pairKeys = new TreeSet<>();
    routers.getNetworksList().stream().map(TunnelNetwork::getNetworkId).forEach(networks::add);
    for (RouterInfo r : HostRenderer.carried(routers)) {
      r.getInterfacesList().stream().map(RouterPortInfo::getNetworkId).forEach(networks::add);
      HostParts.localPorts(routers, r).stream().map(LocalPortInfo::getNetworkId).forEach(networks::add);
      if (CentralSnat.isHere(r, this)) {
        r.getSnatPortsList().stream().map(RouterPortInfo::getNetworkId).forEach(networks::add);
      }
      if (FloatingIps.isHere(r)) {
        pairKeys.add(r.getRouterId());
        FloatingIps.active(r).forEach(f -> fipKeys.add(Names.fipRuleKey(r.getRouterId(), f.getFixedIpAddress())));
      }
    }
    networks.remove("");
    return withAllocations(Allocations.assign(localVlans, networks), Allocations.assign(fipPriorities, fipKeys),
        Allocations.assign(linkLocalPairs, pairKeys));
  }

  OptionalInt vlanOf(String networkId) {
    return localVlans.valueOf(networkId);
  }

  /** The routers' local ports this host has plugged (they have an ofport): the ports it wires. */
  public SortedSet<String> wiredPorts(HostRouters routers) {
    SortedSet<String> wired = new TreeSet<>();
    for (RouterInfo r : routers.getRoutersList()) {
      for (LocalPortInfo p : HostParts.localPorts(routers, r)) {
        if (portOfports.containsKey(p.getPortId())) {
          wired.add(p.getPortId());
        }
      }
    }
    return wired;
  }

  OptionalInt ofportOf(String portId) {
    Integer v = portOfports.get(portId);
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }
}
