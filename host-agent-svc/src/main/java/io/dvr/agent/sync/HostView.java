package io.dvr.agent.sync;

import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.TunnelEndpoint;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the agent holds of its host's wanted state: the routers it carries by id and the host
 * part of {@link HostRouters} (its DVR MAC, the peers' MACs and tunnel endpoints, networks).
 * Fetch replies replace what they cover; ARP updates and peer announcements are patched in, and
 * a patch that cannot be made says so (the caller fetches instead).
 *
 * <p>States: {@link Completeness#PARTIAL} until the first full sync is taken (it holds only some
 * routers, so applying it would remove the others), then {@link Completeness#COMPLETE}. Only a
 * complete view with a DVR MAC is {@link #wanted() wanted} on the host. Used on the sync's context
 * only.
 */
final class HostView {

  enum Completeness { PARTIAL, COMPLETE }

  /** The outcome of a patch. */
  enum Patch {
    /** The view changed: apply it. */
    PATCHED,
    /** The view already held this. */
    UNCHANGED,
    /** The router is not held: fetch it (its table comes with it). */
    NOT_HELD,
    /** No full sync was taken yet; the first one reads the current peers anyway. */
    NOT_COMPLETE
  }

  private final SyncContext ctx;
  /** The host part of the view; its routers list is always empty (they are in {@link #routers}). */
  private HostRouters.Builder hostPart;
  private final Map<String, RouterInfo> routers = new TreeMap<>();
  private Completeness completeness = Completeness.PARTIAL;

  HostView(SyncContext ctx, String host, String agentMode) {
    this.ctx = ctx;
    this.hostPart = HostRouters.newBuilder().setHost(host).setAgentMode(agentMode);
  }

  Completeness completeness() {
    ctx.check("reading the host view");
    return completeness;
  }

  String dvrMac() {
    ctx.check("reading the host view");
    return hostPart.getDvrMac();
  }

  Set<String> routerIds() {
    ctx.check("reading the host view");
    return Set.copyOf(routers.keySet());
  }

  /** The host's DVR MAC, once allocated. */
  void takeDvrMac(String mac) {
    ctx.check("taking the DVR MAC");
    hostPart.setDvrMac(mac);
  }

  /**
   * Takes a fetch reply: the routers of the scope are replaced by those it carries (a full sync
   * drops every router it does not carry), the host part by the reply's (keeping the DVR MAC
   * when the reply has none yet).
   */
  void take(FetchScope scope, HostRouters reply) {
    ctx.check("taking fetched routers");
    if (scope instanceof FetchScope.All) {
      routers.clear();
      completeness = Completeness.COMPLETE;
    } else {
      ((FetchScope.Routers) scope).ids().forEach(routers::remove);
    }
    reply.getRoutersList().forEach(r -> routers.put(r.getRouterId(), r));
    String mac = hostPart.getDvrMac();
    hostPart = reply.toBuilder().clearRouters();
    if (hostPart.getDvrMac().isEmpty()) {
      hostPart.setDvrMac(mac);
    }
  }

  /** Patches a held router's ARP table; NOT_HELD when the router is not held (fetch it instead). */
  Patch patchArp(ArpUpdate update) {
    ctx.check("patching an ARP update");
    RouterInfo router = routers.get(update.getRouterId());
    if (router == null) {
      return Patch.NOT_HELD;
    }
    Map<String, ArpEntry> entries = new TreeMap<>();
    router.getArpEntriesList().forEach(e -> entries.put(e.getIpAddress(), e));
    update.getRemoveList().forEach(e -> entries.remove(e.getIpAddress()));
    update.getAddList().forEach(e -> entries.put(e.getIpAddress(), e));
    routers.put(router.getRouterId(), router.toBuilder().clearArpEntries().addAllArpEntries(entries.values()).build());
    // Applied even when the table did not change, as any event is: an apply also repairs drift.
    return Patch.PATCHED;
  }

  /** Takes every host's DVR MAC as announced; the peers' are kept, sorted by host. */
  Patch patchPeerMacs(List<DvrHostMac> macs) {
    ctx.check("patching the peers' DVR MACs");
    if (completeness == Completeness.PARTIAL) {
      return Patch.NOT_COMPLETE;
    }
    String self = hostPart.getHost();
    List<DvrHostMac> peers = macs.stream().filter(m -> !m.getHost().equals(self))
        .sorted(Comparator.comparing(DvrHostMac::getHost)).toList();
    List<DvrHostMac> held = hostPart.getPeerMacsList().stream()
        .sorted(Comparator.comparing(DvrHostMac::getHost)).toList();
    if (peers.equals(held)) {
      return Patch.UNCHANGED;
    }
    hostPart.clearPeerMacs().addAllPeerMacs(peers);
    return Patch.PATCHED;
  }

  /** Takes a peer's tunnel endpoint as registered now (empty: it has none any more). */
  Patch patchTunnelEndpoint(TunnelEndpoint endpoint) {
    ctx.check("patching a tunnel endpoint");
    if (endpoint.getHost().equals(hostPart.getHost())) {
      return Patch.UNCHANGED;
    }
    if (completeness == Completeness.PARTIAL) {
      return Patch.NOT_COMPLETE;
    }
    if (hostPart.getTunnelEndpointsOrDefault(endpoint.getHost(), "").equals(endpoint.getTunnelIp())) {
      return Patch.UNCHANGED;
    }
    if (endpoint.getTunnelIp().isEmpty()) {
      hostPart.removeTunnelEndpoints(endpoint.getHost());
    } else {
      hostPart.putTunnelEndpoints(endpoint.getHost(), endpoint.getTunnelIp());
    }
    return Patch.PATCHED;
  }

  /**
   * What the host must hold, once the view is complete and has the host's DVR MAC; empty before
   * (applying a partial view would remove the routers not fetched yet).
   */
  Optional<HostRouters> wanted() {
    ctx.check("reading the host view");
    if (completeness == Completeness.PARTIAL || hostPart.getDvrMac().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(hostPart.clone().addAllRouters(routers.values()).build());
  }
}
