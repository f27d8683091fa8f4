package io.dvr.agent.render;

import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Renders one host's desired state from its routers and facts. Each router contributes small
 * pieces (router-local qrouter-, floating IPs in qrouter- and fip-, central SNAT in snat-), which
 * are merged by namespace; then the nat chains are wired and the OVS flows and ports added.
 */
public final class HostRenderer {
  private HostRenderer() {}

  public static HostState render(HostRouters routers, HostFacts facts) {
    List<RouterInfo> carried = carried(routers);
    if (!carried.isEmpty() && facts.dvrMac().isEmpty()) {
      throw new IllegalStateException("host " + facts.host() + " has no DVR MAC yet; its routers cannot be rendered");
    }
    SortedMap<String, NamespaceState> namespaces = new TreeMap<>();
    for (RouterInfo r : carried) {
      add(namespaces, RouterLocal.render(r));
      FloatingIps.render(r, facts).forEach(part -> add(namespaces, part));
      if (CentralSnat.isHere(r, facts)) {
        add(namespaces, CentralSnat.render(r));
      }
    }
    namespaces.replaceAll((name, ns) -> ns.withNat(Nat.wire(ns.nat())));
    return new HostState(namespaces, BridgePorts.addTo(OvsFlows.render(routers, facts, carried), routers, facts, carried));
  }

  /**
   * The routers this host renders, by id: distributed and administratively up. A router that is
   * down or not distributed has nothing on a DVR host, so its namespaces are removed as stale.
   */
  public static List<RouterInfo> carried(HostRouters routers) {
    return routers.getRoutersList().stream()
        .filter(r -> r.getAdminStateUp() && r.getDistributed() && !r.getRouterId().isEmpty())
        .sorted(Comparator.comparing(RouterInfo::getRouterId)).toList();
  }

  private static void add(SortedMap<String, NamespaceState> into, NamespaceState part) {
    into.merge(part.name(), part, NamespaceState::merge);
  }
}
