package io.dvr.agent.render;

import io.dvr.agent.model.Flow;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.OvsPort;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one carried router adds to its host's desired state, for given facts: its namespace parts
 * in render order (qrouter-, its floating IPs' share of qrouter- and fip-, snat-), its flows per
 * bridge and the br-int ports it tags. A host's desired state is the host-level part merged with
 * the parts of its carried routers, in router id order ({@link HostRenderer#renderParts}).
 */
public record RouterPart(String routerId, List<NamespaceState> namespaces, SortedMap<String, SortedSet<Flow>> flows,
    List<OvsPort> ports) {

  public RouterPart {
    namespaces = List.copyOf(namespaces);
    SortedMap<String, SortedSet<Flow>> copy = new TreeMap<>();
    flows.forEach((bridge, f) -> copy.put(bridge, Collections.unmodifiableSortedSet(new TreeSet<>(f))));
    flows = Collections.unmodifiableSortedMap(copy);
    ports = List.copyOf(ports);
  }

  static RouterPart render(HostRouters in, RouterInfo r, HostFacts facts) {
    List<NamespaceState> namespaces = new ArrayList<>();
    namespaces.add(RouterLocal.render(r));
    namespaces.addAll(FloatingIps.render(r, facts));
    if (CentralSnat.isHere(r, facts)) {
      namespaces.add(CentralSnat.render(r));
    }
    List<Flow> brInt = new ArrayList<>();
    List<Flow> brTun = new ArrayList<>();
    OvsFlows.routerFlows(in, r, facts, brInt, brTun);
    SortedMap<String, SortedSet<Flow>> flows = new TreeMap<>();
    flows.put(Names.BR_INT, new TreeSet<>(brInt));
    flows.put(Names.BR_TUN, new TreeSet<>(brTun));
    return new RouterPart(r.getRouterId(), namespaces, flows, BridgePorts.routerPorts(in, r, facts));
  }

  /**
   * Whether {@code now} is {@code was} with another ARP table and nothing else: then only the
   * router's qrouter- neighbours can change ({@link #withArpTable}). Not for an HA router whose
   * snat- is here: its snat- holds the ARP table too, and it is rendered again in full.
   */
  public static boolean onlyArpTableChanged(RouterInfo was, RouterInfo now) {
    return !(now.getHa() && now.getSnatHere())
        && was.toBuilder().clearArpEntries().build().equals(now.toBuilder().clearArpEntries().build());
  }

  /** This part, rendered from {@code was}, as {@code now} renders it when only the ARP table changed. */
  public ArpTableChange withArpTable(RouterInfo was, RouterInfo now) {
    NeighbourChange change = RouterLocal.arpTableChange(was, now);
    NamespaceState local = namespaces.get(0);
    if (!local.name().equals(change.namespace())) {
      throw new IllegalStateException("router " + routerId + ": its first part is " + local.name() + ", not "
          + change.namespace());
    }
    List<NamespaceState> next = new ArrayList<>(namespaces);
    next.set(0, local.withNeighbours(change.gone(), change.added()));
    return new ArpTableChange(new RouterPart(routerId, next, flows, ports), change);
  }

  /** A part after an ARP table change, and how its qrouter- neighbours moved. */
  public record ArpTableChange(RouterPart part, NeighbourChange neighbours) {}

  /** The namespace parts of this router named {@code namespace}, in render order. */
  public List<NamespaceState> partsOf(String namespace) {
    return namespaces.stream().filter(ns -> ns.name().equals(namespace)).toList();
  }

  /** The names of the namespaces this router has a part in. */
  public Set<String> namespaceNames() {
    Set<String> names = new TreeSet<>();
    namespaces.forEach(ns -> names.add(ns.name()));
    return names;
  }

  /**
   * What of a carried router reaches beyond its own part: the keys it needs allocated (local VLAN
   * per network, FIP rule priority per fixed IP, its link-local pair), the ports whose ofports the
   * facts read, the tunnel networks of the host-level flows with their segmentation ids, and the
   * br-int ports it tags. While the set of these tokens over all carried routers stays the same,
   * the host's facts, host-level flows and bridge ports stay the same: only the routers' own parts
   * can differ. Computed without rendering (a new key would not be allocated yet).
   */
  public static Set<String> footprint(HostRouters in, RouterInfo r, HostFacts facts) {
    Set<String> tokens = new TreeSet<>();
    boolean snatHere = CentralSnat.isHere(r, facts);
    r.getInterfacesList().forEach(p -> network(tokens, p.getNetworkId()));
    for (LocalPortInfo p : HostParts.localPorts(in, r)) {
      network(tokens, p.getNetworkId());
      tokens.add("ofport:" + p.getPortId());
    }
    if (snatHere) {
      for (RouterPortInfo p : r.getSnatPortsList()) {
        network(tokens, p.getNetworkId());
        tokens.add("ofport:" + p.getPortId());
      }
      CentralSnat.snatPorts(r).forEach(p -> segment(tokens, p));
    }
    RouterLocal.interfaces(r).forEach(p -> segment(tokens, p));
    if (FloatingIps.isHere(r)) {
      tokens.add("pair:" + r.getRouterId());
      FloatingIps.active(r).forEach(f -> tokens.add("fip:" + Names.fipRuleKey(r.getRouterId(), f.getFixedIpAddress())));
    }
    BridgePorts.routerPorts(in, r, facts).forEach(p -> tokens.add("port:" + p));
    return tokens;
  }

  private static void network(Set<String> tokens, String networkId) {
    if (!networkId.isEmpty()) {
      tokens.add("vlan:" + networkId);
    }
  }

  private static void segment(Set<String> tokens, RouterPortInfo p) {
    if (!p.getNetworkId().isEmpty() && p.getSegmentationId() != 0) {
      tokens.add("segment:" + p.getNetworkId() + "=" + Integer.toUnsignedLong(p.getSegmentationId()));
    }
  }
}
