package io.dvr.agent.sync;

import io.dvr.common.net.Ipv4;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.ArpUpdate;
import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.FloatingIpChange;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.PortChange;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import io.dvr.proto.v1.TunnelEndpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent holds of its host's wanted state: the routers it carries by id and the host
 * part of {@link HostRouters} (its DVR MAC, its ports, its peers' MACs and tunnel endpoints,
 * networks). Fetch replies replace what they cover; ARP updates and peer announcements are
 * patched in, and a patch that cannot be made says so (the caller fetches instead).
 *
 * <p>Stale replies: each reply carries the generation of the snapshot it was read from. The view
 * remembers the generation that each router (held or dropped) and the host part were last taken
 * from; a reply does not replace what was taken from a higher generation (it was read before
 * that, e.g. a slow request), and says so at DEBUG. Equal generations are taken. A full sync sets
 * the floor for every router it does not name otherwise.
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

  private static final Logger LOG = LoggerFactory.getLogger(HostView.class);

  private final SyncContext ctx;
  /** The host part of the view; its routers list is always empty (they are in {@link #routers}). */
  private HostRouters.Builder hostPart;
  private final Map<String, RouterInfo> routers = new TreeMap<>();
  private Completeness completeness = Completeness.PARTIAL;
  /** The generation the host part was taken from. */
  private long hostGeneration = Long.MIN_VALUE;
  /** The generation of the last full sync taken: what every router not in {@link #routerGenerations} was taken at. */
  private long fullSyncGeneration = Long.MIN_VALUE;
  /** Routers (held or dropped) taken from a reply newer than the last full sync, by id. */
  private final Map<String, Long> routerGenerations = new HashMap<>();
  /** The snapshot each held router was read from: what the host has of the changes once it applies it. */
  private final Map<String, Snapshot> routerSnapshots = new HashMap<>();

  /** A reply's snapshot: its generation and the transactions below it it does not see. */
  record Snapshot(long generation, List<Long> inProgress) {
    static Snapshot of(HostRouters reply) {
      return new Snapshot(reply.getGeneration(), List.copyOf(reply.getInProgressList()));
    }
  }

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
   * when the reply has none yet); what was taken from a higher generation is kept.
   */
  void take(FetchScope scope, HostRouters reply) {
    ctx.check("taking fetched routers");
    long generation = reply.getGeneration();
    Map<String, RouterInfo> carried = new TreeMap<>();
    reply.getRoutersList().forEach(r -> carried.put(r.getRouterId(), r));
    Set<String> covered = new TreeSet<>(carried.keySet());
    if (scope instanceof FetchScope.All) {
      covered.addAll(routers.keySet());
      covered.addAll(routerGenerations.keySet());
    } else {
      covered.addAll(((FetchScope.Routers) scope).ids());
    }
    Set<String> newer = new TreeSet<>();
    for (String id : covered) {
      if (generation < routerGenerations.getOrDefault(id, fullSyncGeneration)) {
        newer.add(id);
      } else if (carried.containsKey(id)) {
        routers.put(id, carried.get(id));
        routerSnapshots.put(id, Snapshot.of(reply));
        routerGenerations.put(id, generation);
      } else {
        routers.remove(id);
        routerSnapshots.remove(id);
        routerGenerations.put(id, generation);
      }
    }
    if (scope instanceof FetchScope.All) {
      completeness = Completeness.COMPLETE;
      fullSyncGeneration = Math.max(fullSyncGeneration, generation);
      // Entries no newer than the floor say nothing the floor does not.
      routerGenerations.values().removeIf(g -> g <= fullSyncGeneration);
    }
    boolean hostStale = generation < hostGeneration;
    if (!hostStale) {
      String mac = hostPart.getDvrMac();
      hostPart = reply.toBuilder().clearRouters();
      if (hostPart.getDvrMac().isEmpty()) {
        hostPart.setDvrMac(mac);
      }
      hostGeneration = generation;
    }
    if ((hostStale || !newer.isEmpty()) && LOG.isDebugEnabled()) {
      LOG.debug("host {}: dropped what is stale in the reply {} of generation {}: {}{}", hostPart.getHost(), scope,
          generation, hostStale ? "the host part (held from generation " + hostGeneration + ")" : "",
          newer.isEmpty() ? "" : (hostStale ? ", " : "") + "routers " + newer + " (held from a newer generation)");
    }
  }

  /** Patches a held router's ARP table; NOT_HELD when the router is not held (fetch it instead). */
  Patch patchArp(ArpUpdate update) {
    ctx.check("patching an ARP update");
    RouterInfo router = routers.get(update.getRouterId());
    if (router == null) {
      return Patch.NOT_HELD;
    }
    Set<String> removed = new HashSet<>();
    update.getRemoveList().forEach(e -> removed.add(e.getIpAddress()));
    routers.put(router.getRouterId(), withArpTable(router, removed, update.getAddList()));
    // Applied even when the table did not change, as any event is (an unchanged router applies nothing).
    return Patch.PATCHED;
  }

  /**
   * The router with the addresses {@code removed} out of its ARP table, then the entries {@code
   * added} in (one whose address is held is replaced in place, others appended); the router itself
   * when that changes nothing. The order held is kept (the renderer does not care; an apply skips
   * the unchanged head and tail of the table): an update changes a few of many entries.
   */
  private static RouterInfo withArpTable(RouterInfo router, Set<String> removed, List<ArpEntry> added) {
    List<ArpEntry> entries = new ArrayList<>(router.getArpEntriesList());
    if (!removed.isEmpty()) {
      entries.removeIf(e -> removed.contains(e.getIpAddress()));
    }
    // A few adds look their address up in the list; many index it first.
    Map<String, Integer> at = new HashMap<>();
    if (added.size() > 8) {
      for (int i = 0; i < entries.size(); i++) {
        at.put(entries.get(i).getIpAddress(), i);
      }
    }
    for (ArpEntry e : added) {
      int i = added.size() > 8 ? at.getOrDefault(e.getIpAddress(), -1) : indexOf(entries, e.getIpAddress());
      if (i < 0) {
        at.put(e.getIpAddress(), entries.size());
        entries.add(e);
      } else {
        entries.set(i, e);
      }
    }
    return entries.equals(router.getArpEntriesList()) ? router
        : router.toBuilder().clearArpEntries().addAllArpEntries(entries).build();
  }

  /**
   * Whether the router is held with what these ARP updates, in their order, left of the addresses
   * they name: each entry added last is there as added, each address removed last is absent.
   */
  boolean holdsArp(String routerId, List<ArpUpdate> updates) {
    ctx.check("reading the ARP table");
    RouterInfo router = routers.get(routerId);
    if (router == null) {
      return false;
    }
    Map<String, ArpEntry> last = new HashMap<>(); // by address; null: removed
    for (ArpUpdate u : updates) {
      u.getRemoveList().forEach(e -> last.put(e.getIpAddress(), null));
      u.getAddList().forEach(e -> last.put(e.getIpAddress(), e));
    }
    Map<String, ArpEntry> held = new HashMap<>();
    router.getArpEntriesList().forEach(e -> held.put(e.getIpAddress(), e));
    for (Map.Entry<String, ArpEntry> e : last.entrySet()) {
      if (!Objects.equals(e.getValue(), held.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** A change's outcome, and the routers it changed (apply those). */
  record Patched(Patch outcome, Set<String> routers) {
    static Patched of(Patch outcome) {
      return new Patched(outcome, Set.of());
    }
  }

  /**
   * The last change taken of each port ({@link #patchPort}) and floating IP ({@link
   * #patchFloatingIp}), by "port " or "floating IP " and id; the oldest forgotten past a bound.
   */
  private final Map<String, Long> changeSequences = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > 4096;
    }
  };

  /**
   * Takes a port's change into the host part and the local ports of the held routers, as a fetch
   * would read them: a VM port bound here is added or replaced (its subnets' CIDRs and its
   * network's segmentation ID and MTU read from the held routers' interfaces) with its entries in
   * those routers' ARP tables, one no longer here removed (from the ARP tables too when it was
   * deleted: a port bound elsewhere keeps its entries). The port's neighbours change with its
   * flows, not in an apply of arp-svc's update after them. NOT_HELD when the view cannot say what
   * a fetch would (a port that is not a VM's, an address on a subnet no held router has an
   * interface on, a floating IP on the port, whose rows follow its binding): the fetch that follows
   * every change brings it. A change older than one taken of the port is UNCHANGED.
   */
  Patched patchPort(PortChange change) {
    ctx.check("patching a port change");
    if (completeness == Completeness.PARTIAL) {
      return Patched.of(Patch.NOT_COMPLETE);
    }
    String id = change.getPortId();
    if (older("port " + id, change.getSequence())) {
      return Patched.of(Patch.UNCHANGED);
    }
    for (RouterInfo router : routers.values()) {
      for (FloatingIpInfo fip : router.getFloatingIpsList()) {
        if (fip.getPortId().equals(id)) {
          return Patched.of(Patch.NOT_HELD);
        }
      }
    }
    Optional<HostPort> port = Optional.empty();
    if (change.getBoundHere()) {
      if (!change.getDeviceOwner().startsWith("compute:")) {
        return Patched.of(Patch.NOT_HELD);
      }
      port = hostPort(change);
      if (port.isEmpty()) {
        return Patched.of(Patch.NOT_HELD);
      }
    }
    taken("port " + id, change.getSequence());
    Set<String> subnets = new HashSet<>();
    port.ifPresent(p -> p.getFixedIpsList().forEach(ip -> subnets.add(ip.getSubnetId())));
    // Ports and each router's local ports are ordered by port id, as the fetch reads them.
    List<HostPort> ports = new ArrayList<>(hostPart.getPortsList());
    ports.removeIf(p -> p.getPortId().equals(id));
    port.ifPresent(ports::add);
    ports.sort(Comparator.comparing(HostPort::getPortId));
    boolean hostChanged = !ports.equals(hostPart.getPortsList());
    if (hostChanged) {
      hostPart.clearPorts().addAllPorts(ports);
    }
    Set<String> touched = new TreeSet<>();
    for (RouterInfo router : List.copyOf(routers.values())) {
      boolean local = router.getInterfacesList().stream().anyMatch(i -> subnets.contains(i.getSubnetId()));
      List<String> ids = new ArrayList<>(router.getLocalPortIdsList());
      boolean was = ids.remove(id);
      if (local) {
        ids.add(id);
        ids.sort(Comparator.naturalOrder());
      }
      boolean inArpTable = change.getDeleted()
          && router.getArpEntriesList().stream().anyMatch(e -> e.getPortId().equals(id));
      if (was || local || inArpTable) {
        touched.add(router.getRouterId());
        RouterInfo patched = ids.equals(router.getLocalPortIdsList()) ? router
            : router.toBuilder().clearLocalPortIds().addAllLocalPortIds(ids).build();
        if (local) {
          patched = withArpEntries(patched, port.orElseThrow());
        } else if (inArpTable) {
          patched = patched.toBuilder().clearArpEntries().addAllArpEntries(patched.getArpEntriesList().stream()
              .filter(e -> !e.getPortId().equals(id)).toList()).build();
        }
        routers.put(router.getRouterId(), patched);
      }
    }
    return new Patched(hostChanged || !touched.isEmpty() ? Patch.PATCHED : Patch.UNCHANGED, touched);
  }

  /**
   * The router with the VM port's entries in its ARP table, one per address on the router's
   * subnets, as arp-svc's update of them will have them (a VM's port is in the ARP table of every
   * router on its subnets): the port's neighbours in its host's qrouter- come with its flows, not
   * in an apply of their own after them. An entry held already is replaced in place.
   */
  private static RouterInfo withArpEntries(RouterInfo router, HostPort port) {
    Set<String> subnets = new HashSet<>();
    router.getInterfacesList().forEach(i -> subnets.add(i.getSubnetId()));
    List<ArpEntry> entries = port.getFixedIpsList().stream().filter(ip -> subnets.contains(ip.getSubnetId()))
        .map(ip -> ArpEntry.newBuilder().setIpAddress(ip.getIpAddress()).setMacAddress(port.getMacAddress())
            .setSubnetId(ip.getSubnetId()).setPortId(port.getPortId()).build())
        .toList();
    return withArpTable(router, Set.of(), entries);
  }

  private boolean older(String key, long sequence) {
    Long last = changeSequences.get(key);
    return last != null && sequence < last;
  }

  private void taken(String key, long sequence) {
    changeSequences.remove(key);
    changeSequences.put(key, sequence);
  }

  /**
   * Takes a floating IP's change into the held routers, as a fetch would read them: on a port bound
   * here, it is in its router's floating IPs (ordered by address); anywhere else, in none (a router
   * left with none here has no fg- gateway in the view either). NOT_HELD when the view cannot say
   * what a fetch would: its router not held, its port not bound here, or no fg- gateway of the
   * router here yet (the first floating IP of a router on a host may bring one). A change older than
   * one taken of it is UNCHANGED.
   */
  Patched patchFloatingIp(FloatingIpChange change) {
    ctx.check("patching a floating IP change");
    if (completeness == Completeness.PARTIAL) {
      return Patched.of(Patch.NOT_COMPLETE);
    }
    String id = change.getFloatingIpId();
    if (older("floating IP " + id, change.getSequence())) {
      return Patched.of(Patch.UNCHANGED);
    }
    RouterInfo target = null;
    if (change.hasHere()) {
      target = routers.get(change.getRouterId());
      if (target == null || !target.hasFipAgentGateway() || port(change.getHere().getPortId()).isEmpty()
          || Ipv4.tryParse(change.getHere().getFloatingIpAddress()) == null) {
        return Patched.of(Patch.NOT_HELD);
      }
    }
    taken("floating IP " + id, change.getSequence());
    Set<String> touched = new TreeSet<>();
    for (RouterInfo router : List.copyOf(routers.values())) {
      boolean isTarget = target != null && router.getRouterId().equals(target.getRouterId());
      List<FloatingIpInfo> fips = new ArrayList<>(router.getFloatingIpsList());
      fips.removeIf(f -> f.getFloatingIpId().equals(id));
      if (isTarget) {
        fips.add(change.getHere());
        fips.sort(Comparator.comparing(f -> Ipv4.tryParse(f.getFloatingIpAddress())));
      }
      if (fips.equals(router.getFloatingIpsList())) {
        continue;
      }
      RouterInfo.Builder patched = router.toBuilder().clearFloatingIps().addAllFloatingIps(fips);
      if (fips.isEmpty()) {
        patched.clearFipAgentGateway(); // as the fetch has it: a router's fg- gateway here comes with its floating IPs here
      }
      routers.put(router.getRouterId(), patched.build());
      touched.add(router.getRouterId());
    }
    return new Patched(touched.isEmpty() ? Patch.UNCHANGED : Patch.PATCHED, touched);
  }

  /** The held router that has this floating IP, with it as held; empty when none has. */
  Optional<Map.Entry<String, FloatingIpInfo>> floatingIp(String floatingIpId) {
    ctx.check("reading the host view");
    for (RouterInfo r : routers.values()) {
      for (FloatingIpInfo f : r.getFloatingIpsList()) {
        if (f.getFloatingIpId().equals(floatingIpId)) {
          return Optional.of(Map.entry(r.getRouterId(), f));
        }
      }
    }
    return Optional.empty();
  }

  /** The host's port of this id as the view holds it. */
  Optional<HostPort> port(String portId) {
    ctx.check("reading the host view");
    return hostPart.getPortsList().stream().filter(p -> p.getPortId().equals(portId)).findFirst();
  }

  /** The held routers that name the port as one of their local ports. */
  Set<String> routersNaming(String portId) {
    ctx.check("reading the host view");
    Set<String> ids = new TreeSet<>();
    routers.values().stream().filter(r -> r.getLocalPortIdsList().contains(portId)).forEach(r -> ids.add(r.getRouterId()));
    return ids;
  }

  /** The port bound here as the host part holds one; empty when a held router's interfaces do not tell all of it. */
  private Optional<HostPort> hostPort(PortChange change) {
    Map<String, RouterPortInfo> bySubnet = new HashMap<>();
    routers.values().forEach(r -> r.getInterfacesList().forEach(i -> bySubnet.putIfAbsent(i.getSubnetId(), i)));
    RouterPortInfo network = null;
    List<HostPortIp> ips = new ArrayList<>();
    for (HostPortIp ip : change.getFixedIpsList()) {
      RouterPortInfo on = bySubnet.get(ip.getSubnetId());
      if (on == null || !on.getNetworkId().equals(change.getNetworkId()) || Ipv4.tryParse(ip.getIpAddress()) == null) {
        return Optional.empty();
      }
      network = on;
      ips.add(ip.toBuilder().setCidr(on.getCidr()).build());
    }
    if (network == null) {
      return Optional.empty();
    }
    // By address, as the fetch orders them.
    ips.sort(Comparator.comparing(ip -> Ipv4.tryParse(ip.getIpAddress())));
    return Optional.of(HostPort.newBuilder().setPortId(change.getPortId()).setMacAddress(change.getMacAddress())
        .setNetworkId(change.getNetworkId()).setSegmentationId(network.getSegmentationId()).addAllFixedIps(ips)
        .setDeviceOwner(change.getDeviceOwner()).setStatus(change.getStatus()).setMtu(network.getMtu()).build());
  }

  private static int indexOf(List<ArpEntry> entries, String address) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).getIpAddress().equals(address)) {
        return i;
      }
    }
    return -1;
  }

  /** Takes every host's DVR MAC as announced into the peers (a peer not announced has none). */
  Patch patchPeerMacs(List<DvrHostMac> macs) {
    ctx.check("patching the peers' DVR MACs");
    if (completeness == Completeness.PARTIAL) {
      return Patch.NOT_COMPLETE;
    }
    Map<String, String> announced = new HashMap<>();
    macs.forEach(m -> announced.put(m.getHost(), m.getMacAddress()));
    Set<String> hosts = new TreeSet<>(announced.keySet());
    hostPart.getPeersList().forEach(peer -> hosts.add(peer.getHost()));
    return patchPeers(hosts, peer -> peer.toBuilder().setDvrMac(announced.getOrDefault(peer.getHost(), "")).build());
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
    return patchPeers(Set.of(endpoint.getHost()), peer -> peer.getHost().equals(endpoint.getHost())
        ? peer.toBuilder().setTunnelIp(endpoint.getTunnelIp()).build() : peer);
  }

  /**
   * Changes the peers of {@code hosts} (a host not a peer yet starts empty); a peer with neither a
   * DVR MAC nor a tunnel endpoint is dropped. The peers stay one per host, ordered by host.
   */
  private Patch patchPeers(Set<String> hosts, UnaryOperator<HostPeer> change) {
    Map<String, HostPeer> peers = new TreeMap<>();
    hostPart.getPeersList().forEach(peer -> peers.put(peer.getHost(), peer));
    for (String host : hosts) {
      if (host.equals(hostPart.getHost())) {
        continue;
      }
      HostPeer changed = change.apply(peers.getOrDefault(host, HostPeer.newBuilder().setHost(host).build()));
      if (changed.getDvrMac().isEmpty() && changed.getTunnelIp().isEmpty()) {
        peers.remove(host);
      } else {
        peers.put(host, changed);
      }
    }
    List<HostPeer> patched = List.copyOf(peers.values());
    if (patched.equals(hostPart.getPeersList())) {
      return Patch.UNCHANGED;
    }
    hostPart.clearPeers().addAllPeers(patched);
    return Patch.PATCHED;
  }

  /** The snapshot each held router was read from, by id (ARP patches do not change it). */
  Map<String, Snapshot> routerSnapshots() {
    ctx.check("reading the host view");
    return Map.copyOf(routerSnapshots);
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
