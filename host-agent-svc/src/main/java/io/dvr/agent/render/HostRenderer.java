package io.dvr.agent.render;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders one host's desired state from its routers and facts. Each router contributes small
 * pieces (router-local qrouter-, floating IPs in qrouter- and fip-, central SNAT in snat-), which
 * are merged by namespace; then the nat chains are wired and the OVS flows and ports added.
 */
public final class HostRenderer {
  private HostRenderer() {}

  public static HostState render(HostRouters routers, HostFacts facts) {
    return renderParts(routers, facts).state();
  }

  /** A host's desired state with what made it: the host-level flows and each carried router's part. */
  public record Rendered(HostState state, SortedMap<String, SortedSet<Flow>> hostFlows, List<RouterPart> parts) {}

  /** The desired state as {@link #render}, keeping the parts it is merged from (the agent caches them). */
  public static Rendered renderParts(HostRouters routers, HostFacts facts) {
    List<RouterInfo> carried = carried(routers);
    if (!carried.isEmpty() && facts.dvrMac().isEmpty()) {
      throw new IllegalStateException("host " + facts.host() + " has no DVR MAC yet; its routers cannot be rendered");
    }
    List<RouterPart> parts = carried.stream().map(r -> RouterPart.render(routers, r, facts)).toList();
    SortedMap<String, NamespaceState> namespaces = new TreeMap<>();
    for (RouterPart part : parts) {
      part.namespaces().forEach(ns -> namespaces.merge(ns.name(), ns, NamespaceState::merge));
    }
    namespaces.replaceAll((name, ns) -> wired(ns));
    List<Flow> brInt = new ArrayList<>();
    List<Flow> brTun = new ArrayList<>();
    OvsFlows.hostFlows(routers, facts, carried, brInt, brTun);
    SortedMap<String, SortedSet<Flow>> hostFlows = new TreeMap<>();
    hostFlows.put(Names.BR_INT, new TreeSet<>(brInt));
    hostFlows.put(Names.BR_TUN, new TreeSet<>(brTun));
    for (RouterPart part : parts) {
      brInt.addAll(part.flows().get(Names.BR_INT));
      brTun.addAll(part.flows().get(Names.BR_TUN));
    }
    SortedMap<String, BridgeState> bridges = new TreeMap<>();
    bridges.put(Names.BR_INT, BridgeState.of(Names.BR_INT, brInt));
    bridges.put(Names.BR_TUN, BridgeState.of(Names.BR_TUN, brTun));
    return new Rendered(new HostState(namespaces, BridgePorts.addTo(bridges, routers, facts, carried)), hostFlows,
        parts);
  }

  /** One carried router's part of the desired state, as {@link #renderParts} renders it. */
  public static RouterPart renderRouter(HostRouters in, RouterInfo r, HostFacts facts) {
    return RouterPart.render(in, r, facts);
  }

  /**
   * One namespace from the parts of the routers in it (in router id order, each router's parts in
   * render order): merged and its nat chains wired, as {@link #renderParts} makes it.
   */
  public static NamespaceState assemble(List<NamespaceState> parts) {
    NamespaceState merged = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      merged = merged.merge(parts.get(i));
    }
    return wired(merged);
  }

  private static NamespaceState wired(NamespaceState ns) {
    return ns.withNat(Nat.wire(ns.nat()));
  }

  /**
   * Whether a router carried here has floating IPs of this host's ports that cannot be rendered yet:
   * the host's {@code fg-} port on their network is not in the view (scheduler-svc makes it after
   * the first floating IP of that network on this host), so nothing of them is applied.
   */
  public static boolean floatingIpsAwaitGateway(RouterInfo r) {
    return carries(r) && !FloatingIps.active(r).isEmpty() && !FloatingIps.isHere(r);
  }

  /** Whether this host renders the router: distributed, administratively up, with an id. */
  public static boolean carries(RouterInfo r) {
    return r.getAdminStateUp() && r.getDistributed() && !r.getRouterId().isEmpty();
  }

  /**
   * The routers this host renders, by id: distributed and administratively up. A router that is
   * down or not distributed has nothing on a DVR host, so its namespaces are removed as stale.
   */
  public static List<RouterInfo> carried(HostRouters routers) {
    return routers.getRoutersList().stream()
        .filter(HostRenderer::carries)
        .sorted(Comparator.comparing(RouterInfo::getRouterId)).toList();
  }

}
