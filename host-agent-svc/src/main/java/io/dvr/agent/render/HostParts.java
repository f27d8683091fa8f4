package io.dvr.agent.render;

import io.dvr.agent.model.IpPrefix;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads the host-level parts of a host view: the host's ports as one router sees them, the peers'
 * DVR MACs and tunnel endpoints. The view carries each port and peer once; every reader of a
 * router's local ports or of the peers goes through here, so the rule is written once.
 */
public final class HostParts {
  private static final Comparator<LocalPortInfo> BY_ADDRESS =
      Comparator.comparingLong((LocalPortInfo p) -> address(p.getIpAddress())).thenComparing(LocalPortInfo::getPortId);

  private HostParts() {}

  /**
   * The ports of the last view asked about, by id (a view is asked about once per router). A memo
   * only: it never changes a result, so the renderer stays a pure function of its inputs.
   */
  private static volatile PortIndex lastIndex = new PortIndex(null, Map.of());

  private record PortIndex(HostRouters view, Map<String, HostPort> byId) {}

  private static Map<String, HostPort> portsById(HostRouters host) {
    PortIndex index = lastIndex;
    if (index.view() != host) { // identity: views are immutable, and equals would walk the whole view
      Map<String, HostPort> byId = new HashMap<>();
      host.getPortsList().forEach(p -> byId.put(p.getPortId(), p));
      index = new PortIndex(host, Map.copyOf(byId));
      lastIndex = index;
    }
    return index.byId();
  }

  /**
   * The router's local ports: each host port it names by id, once per address on one of the
   * router's subnets, ordered by address. An id the host no longer lists resolves to nothing.
   */
  public static List<LocalPortInfo> localPorts(HostRouters host, RouterInfo router) {
    if (router.getLocalPortIdsCount() == 0) {
      return List.of();
    }
    Map<String, HostPort> byId = portsById(host);
    Set<String> subnets = router.getInterfacesList().stream().map(RouterPortInfo::getSubnetId)
        .collect(Collectors.toSet());
    List<LocalPortInfo> local = new ArrayList<>();
    for (String id : router.getLocalPortIdsList()) {
      HostPort port = byId.get(id);
      if (port == null) {
        continue;
      }
      for (HostPortIp ip : port.getFixedIpsList()) {
        if (subnets.contains(ip.getSubnetId())) {
          local.add(LocalPortInfo.newBuilder().setPortId(id).setMacAddress(port.getMacAddress())
              .setNetworkId(port.getNetworkId()).setSubnetId(ip.getSubnetId()).setIpAddress(ip.getIpAddress()).build());
        }
      }
    }
    local.sort(BY_ADDRESS);
    return local;
  }

  /** The peers' DVR MACs, ordered by host (peers without one yet are left out). */
  public static List<DvrHostMac> peerMacs(HostRouters host) {
    List<DvrHostMac> macs = new ArrayList<>();
    for (HostPeer peer : host.getPeersList()) {
      if (!peer.getDvrMac().isEmpty()) {
        macs.add(DvrHostMac.newBuilder().setHost(peer.getHost()).setMacAddress(peer.getDvrMac()).build());
      }
    }
    macs.sort(Comparator.comparing(DvrHostMac::getHost));
    return macs;
  }

  /** The peers' tunnel endpoints by host (peers without one are left out). */
  public static SortedMap<String, String> tunnelEndpoints(HostRouters host) {
    SortedMap<String, String> endpoints = new TreeMap<>();
    for (HostPeer peer : host.getPeersList()) {
      if (!peer.getTunnelIp().isEmpty()) {
        endpoints.put(peer.getHost(), peer.getTunnelIp());
      }
    }
    return endpoints;
  }

  private static long address(String ip) {
    try {
      return IpPrefix.toLong(ip);
    } catch (IllegalArgumentException notIpv4) {
      return Long.MAX_VALUE;
    }
  }
}
