package io.dvr.agent;

import io.dvr.agent.driver.HostDriver;
import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.OvsPort;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.agent.render.NeighbourChange;
import io.dvr.agent.render.RouterPart;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the last full apply left on the host, kept so that an event touching some routers
 * re-renders and re-diffs only them: the facts and host part it rendered with, each router's
 * {@link RouterFootprint footprint} and carried router's {@link RouterPart part}, who contributes
 * to each namespace, the desired namespaces and the desired flows with a count of the parts
 * (host-level included) that render each, and the observed namespaces, flows and bridge ports.
 *
 * <p>An {@link #plan incremental plan} is the full diff restricted to what the changed routers
 * touch: the namespaces whose parts changed (a shared fip- one assembled again from every
 * contributor's cached part), the veth peers' namespaces of the devices that change there, and
 * the flows whose keys the changed parts add or drop. It is refused (the caller applies in full)
 * when the host part changed or the routers' footprints would change the host's facts, host-level
 * flows or bridge ports. Not thread-safe: used under the pipeline's lock.
 */
final class HostCache {
  /** Footprint tokens of floating IPs: each holds a rule priority, the one allocation an increment may change. */
  private static final String FIP_TOKEN = "fip:";
  /** Footprint token of a port bound to the host ({@link RouterFootprint}): its ofport is a fact. */
  private static final String BOUND_TOKEN = "bound:";
  /** Changed only by an increment that adds or removes floating IPs (their rule priorities). */
  private HostFacts facts;
  /** Replaced by each equal one seen, so that the next comparison finds the same peer and port objects. */
  private HostRouters hostPart;
  /** The routers as last rendered, to tell a change of their ARP table alone. */
  private final Map<String, RouterInfo> routers = new HashMap<>();
  private final Map<String, Set<String>> footprints = new HashMap<>();
  private final Map<String, Integer> tokenCounts = new HashMap<>();
  private final Map<String, RouterPart> parts = new HashMap<>();
  private final Map<String, SortedSet<String>> contributors = new HashMap<>();
  private final Map<String, NamespaceState> desired = new HashMap<>();
  private final Map<String, Map<Flow.Key, Map<Flow, Integer>>> desiredFlows = new HashMap<>();
  private final Map<String, NamespaceState> observed = new HashMap<>();
  private final Map<String, Map<Flow.Key, Flow>> observedFlows = new HashMap<>();
  private final Map<String, SortedMap<String, OvsPort>> observedPorts = new HashMap<>();
  /** Observed state a full apply changed and did not read back: read at the next incremental plan. */
  private final Set<String> staleNamespaces = new TreeSet<>();
  private boolean stalePorts;

  /**
   * An incremental plan with the namespaces it was diffed over; {@code factsChanged}: it allocated
   * or released floating-IP rule priorities, and the caller saves the facts once it ran.
   */
  record Increment(Plan plan, Set<String> namespaces, boolean factsChanged, boolean bindingsChanged) {
    Increment(Plan plan, Set<String> namespaces, boolean factsChanged) {
      this(plan, namespaces, factsChanged, false);
    }

    Increment(Plan plan, Set<String> namespaces) {
      this(plan, namespaces, false);
    }
  }

  /**
   * What a port bound to the host or unbound from it needs of the host: its VM ports plugged as the
   * hypervisor does (a simulated host's; Nova plugs a real one's itself), then the bridges' ports
   * read (not the namespaces, nor the flows) and the facts they give.
   */
  interface PortBinding {
    PortsRead plugAndRead(HostFacts previous, HostRouters routers);
  }

  /** The bridges' ports as read, and the host's facts from them. */
  record PortsRead(SortedMap<String, BridgeState> bridges, HostFacts facts) {}

  /** The facts the cached state was rendered with (an incremental apply never changes them). */
  HostFacts facts() {
    return facts;
  }

  private HostCache(HostFacts facts, HostRouters hostPart) {
    this.facts = facts;
    this.hostPart = hostPart;
  }

  /** The cache of a full apply that rendered {@code rendered} and observed {@code observed} before executing. */
  static HostCache of(HostRouters routers, HostFacts facts, HostRenderer.Rendered rendered, HostState observed) {
    HostCache c = new HostCache(facts, hostPart(routers));
    for (RouterInfo r : routers.getRoutersList()) {
      c.routers.put(r.getRouterId(), r);
      Set<String> tokens = RouterFootprint.of(routers, r, facts);
      c.footprints.put(r.getRouterId(), tokens);
      tokens.forEach(t -> c.tokenCounts.merge(t, 1, Integer::sum));
    }
    for (RouterPart part : rendered.parts()) {
      c.parts.put(part.routerId(), part);
      part.namespaceNames().forEach(ns -> c.contributors.computeIfAbsent(ns, k -> new TreeSet<>()).add(part.routerId()));
      part.flows().forEach((bridge, flows) -> flows.forEach(f -> c.count(bridge, f, 1)));
    }
    rendered.hostFlows().forEach((bridge, flows) -> flows.forEach(f -> c.count(bridge, f, 1)));
    c.desired.putAll(rendered.state().namespaces());
    c.observed.putAll(observed.namespaces());
    observed.bridges().forEach((name, bridge) -> {
      Map<Flow.Key, Flow> byKey = new HashMap<>();
      bridge.flows().forEach(f -> byKey.put(f.key(), f));
      c.observedFlows.put(name, byKey);
      c.observedPorts.put(name, new TreeMap<>(bridge.ports()));
    });
    return c;
  }

  /**
   * The host part of the routers: everything but the routers themselves and the generation (which
   * every reply carries anew: it orders replies, it is not state to render).
   */
  private static HostRouters hostPart(HostRouters routers) {
    return routers.toBuilder().clearRouters().clearGeneration().clearInProgress().build();
  }

  /**
   * The plan that makes the host hold {@code routers}, of which only {@code changed} (by id;
   * absent ones were removed) differ from what the cache holds; empty when the change reaches
   * beyond the routers' own parts, and the caller must apply in full. The cache first reads back
   * what a full apply left stale, then takes the new desired state; the caller executes the plan
   * and then calls {@link #executed}.
   */
  Optional<Increment> plan(HostRouters routers, Set<String> changed, HostDriver driver) {
    return plan(routers, changed, driver, null);
  }

  /**
   * As {@link #plan(HostRouters, Set, HostDriver)}; with {@code binding}, a port bound to the host or
   * unbound from it by the changed routers is planned alone too: the host's VM ports are plugged
   * and its bridges' ports read, and only that port's ofport may have changed in the facts.
   */
  Optional<Increment> plan(HostRouters routers, Set<String> changed, HostDriver driver, PortBinding binding) {
    return plan(routers, changed, driver, binding, false);
  }

  /**
   * As {@link #plan(HostRouters, Set, HostDriver, PortBinding)}; {@code portsMoved}: VM ports were
   * plugged or unplugged under the agent, so the ports are read whatever the routers' footprints
   * say, and ofports that moved for ports the changed routers alone name are taken.
   */
  Optional<Increment> plan(HostRouters routers, Set<String> changed, HostDriver driver, PortBinding binding,
      boolean portsMoved) {
    HostRouters nextHostPart = hostPart(routers);
    // The host's ports are rendered only through the routers that name them: one that changed must
    // be named by changed routers alone (and needs a way to read ofports).
    Set<String> portsChanged = changedPorts(hostPart, nextHostPart);
    if (!nextHostPart.toBuilder().clearPorts().build().equals(hostPart.toBuilder().clearPorts().build())
        || (!portsChanged.isEmpty() && (binding == null || namedByOthers(portsChanged, changed)))) {
      return Optional.empty();
    }
    Map<String, RouterInfo> now = new HashMap<>();
    for (RouterInfo r : routers.getRoutersList()) {
      if (changed.contains(r.getRouterId())) {
        now.put(r.getRouterId(), r);
      }
    }
    readStale(driver);
    // An ARP table is no part of a router's footprint: the facts and host-level state stay as they are.
    Optional<Increment> neighboursOnly = portsChanged.isEmpty() && !portsMoved ? arpTablesOnly(now, changed)
        : Optional.empty();
    if (neighboursOnly.isPresent()) {
      hostPart = nextHostPart;
      return neighboursOnly;
    }
    Map<String, Set<String>> nextFootprints = new HashMap<>();
    Map<String, Integer> delta = new HashMap<>();
    for (String id : changed) {
      RouterInfo r = now.get(id);
      Set<String> next = r == null ? Set.of() : RouterFootprint.of(routers, r, facts);
      nextFootprints.put(id, next);
      footprints.getOrDefault(id, Set.of()).forEach(t -> delta.merge(t, -1, Integer::sum));
      next.forEach(t -> delta.merge(t, 1, Integer::sum));
    }
    Set<String> flipped = new HashSet<>();
    for (Map.Entry<String, Integer> e : delta.entrySet()) {
      int before = tokenCounts.getOrDefault(e.getKey(), 0);
      if ((before == 0) != (before + e.getValue() == 0)) {
        flipped.add(e.getKey());
      }
    }
    // A key allocated or released, a port plugged or gone: the facts change. Floating IPs added to or
    // removed from a router that has some here change only their rule priorities, which nothing else
    // renders: those the cache allocates itself, as the full apply would. A port bound here or
    // unbound changes only its own ofport (its network's VLAN is the router's already), which only
    // the changed routers render: the ports are read for it. Anything else goes in full.
    Set<String> bound = new TreeSet<>();
    flipped.stream().filter(t -> t.startsWith(BOUND_TOKEN)).forEach(t -> bound.add(t.substring(BOUND_TOKEN.length())));
    boolean fipsMoved = flipped.stream().anyMatch(t -> t.startsWith(FIP_TOKEN));
    Set<String> bindingTokens = bindingTokens(bound, routers);
    if (!flipped.stream().allMatch(t -> t.startsWith(FIP_TOKEN) || bindingTokens.contains(t))
        || (!bound.isEmpty() && (binding == null || namedByOthers(bound, changed)))) {
      return Optional.empty();
    }
    HostFacts nextFacts = facts;
    PortsRead read = null;
    if (!bound.isEmpty() || (portsMoved && binding != null)) {
      read = binding.plugAndRead(facts, routers);
      nextFacts = read.facts();
    } else if (fipsMoved) {
      nextFacts = facts.allocate(routers);
    }
    Set<String> ofportsMoved = movedOfports(nextFacts, facts);
    if (!bound.containsAll(ofportsMoved) && (!portsMoved || namedByOthers(ofportsMoved, changed))) {
      return Optional.empty();
    }
    if (!sameButOfportsAndFips(nextFacts, facts, ofportsMoved, fipsMoved)) {
      return Optional.empty();
    }
    hostPart = nextHostPart;
    if (read != null) {
      observedPorts.clear();
      read.bridges().forEach((name, bridge) -> observedPorts.put(name, new TreeMap<>(bridge.ports())));
      stalePorts = false;
    }
    delta.forEach((t, d) -> {
      if (d != 0) {
        tokenCounts.merge(t, d, (a, b) -> a + b == 0 ? null : a + b);
      }
    });
    nextFootprints.forEach((id, tokens) -> {
      if (now.containsKey(id)) {
        footprints.put(id, tokens);
      } else {
        footprints.remove(id);
      }
    });
    boolean factsChanged = !nextFacts.equals(facts);
    facts = nextFacts;
    Increment increment = rerender(routers, now, changed, factsChanged,
        !bound.isEmpty() || !portsChanged.isEmpty() || !ofportsMoved.isEmpty());
    changed.forEach(id -> {
      if (now.containsKey(id)) {
        this.routers.put(id, now.get(id));
      } else {
        this.routers.remove(id);
      }
    });
    return Optional.of(increment);
  }

  /** The ids of the host's ports (HostRouters.ports) added, removed or changed between two host parts. */
  private static Set<String> changedPorts(HostRouters was, HostRouters is) {
    if (was.getPortsList().equals(is.getPortsList())) {
      return Set.of();
    }
    Map<String, HostPort> before = new HashMap<>();
    was.getPortsList().forEach(p -> before.put(p.getPortId(), p));
    Set<String> moved = new TreeSet<>();
    for (HostPort p : is.getPortsList()) {
      if (!p.equals(before.remove(p.getPortId()))) {
        moved.add(p.getPortId());
      }
    }
    moved.addAll(before.keySet());
    return moved;
  }

  /** Whether a router held and not among the changed ones names one of these ports as local. */
  private boolean namedByOthers(Set<String> ports, Set<String> changed) {
    for (RouterInfo r : routers.values()) {
      if (!changed.contains(r.getRouterId()) && r.getLocalPortIdsList().stream().anyMatch(ports::contains)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The footprint tokens that a port bound or unbound flips by itself: bound, its ofport, and its VM
   * port tagged with its network's VLAN (as the host holds it now; a new VLAN flips another token).
   */
  private Set<String> bindingTokens(Set<String> ports, HostRouters routers) {
    Set<String> tokens = new HashSet<>();
    if (ports.isEmpty()) {
      return tokens;
    }
    Map<String, String> networks = new HashMap<>();
    hostPart.getPortsList().forEach(p -> networks.put(p.getPortId(), p.getNetworkId()));
    routers.getPortsList().forEach(p -> networks.put(p.getPortId(), p.getNetworkId()));
    for (String id : ports) {
      tokens.add(BOUND_TOKEN + id);
      tokens.add("ofport:" + id);
      String network = networks.getOrDefault(id, "");
      int tag = network.isEmpty() ? OvsPort.NO_TAG : facts.localVlans().valueOf(network).orElse(OvsPort.NO_TAG);
      tokens.add("port:" + OvsPort.vm(id, tag));
    }
    return tokens;
  }

  /** The ports whose ofport differs between two facts (plugged, unplugged or plugged again). */
  private static Set<String> movedOfports(HostFacts next, HostFacts was) {
    Set<String> moved = new TreeSet<>();
    next.portOfports().forEach((id, ofport) -> {
      if (!ofport.equals(was.portOfports().get(id))) {
        moved.add(id);
      }
    });
    was.portOfports().keySet().stream().filter(id -> !next.portOfports().containsKey(id)).forEach(moved::add);
    return moved;
  }

  /**
   * The routers to apply after VM ports were plugged or unplugged under the agent, the ports just
   * read: those naming a VM port that moved as a local port; empty when no such router is held
   * (a VM plugged for a port not bound here yet), the ports then taken as read. None when anything
   * but VM ports moved, or the ports held are stale (a full apply made ports it did not read back):
   * the caller applies in full.
   */
  Optional<Set<String>> routersOfMovedVmPorts(PortsRead read) {
    if (stalePorts) {
      return Optional.empty();
    }
    Set<String> moved = new TreeSet<>();
    Set<String> bridges = new TreeSet<>(observedPorts.keySet());
    bridges.addAll(read.bridges().keySet());
    for (String bridge : bridges) {
      Map<String, OvsPort> was = observedPorts.getOrDefault(bridge, new TreeMap<>());
      Map<String, OvsPort> is = read.bridges().containsKey(bridge) ? read.bridges().get(bridge).ports() : Map.of();
      Set<String> keys = new TreeSet<>(was.keySet());
      keys.addAll(is.keySet());
      for (String key : keys) {
        OvsPort a = was.get(key);
        OvsPort b = is.get(key);
        if (Objects.equals(a, b)) {
          continue;
        }
        if ((a != null && a.kind() != OvsPort.Kind.VM) || (b != null && b.kind() != OvsPort.Kind.VM)) {
          return Optional.empty();
        }
        moved.add((a != null ? a : b).ifaceId());
      }
    }
    Set<String> ids = new TreeSet<>();
    for (RouterInfo r : routers.values()) {
      if (r.getLocalPortIdsList().stream().anyMatch(moved::contains)) {
        ids.add(r.getRouterId());
      }
    }
    if (ids.isEmpty()) {
      observedPorts.clear();
      read.bridges().forEach((name, bridge) -> observedPorts.put(name, new TreeMap<>(bridge.ports())));
    }
    return Optional.of(ids);
  }

  /** The bridges' ports read after the plan a full apply executed: the cache holds them as they are. */
  void tookPorts(SortedMap<String, BridgeState> ports) {
    observedPorts.clear();
    ports.forEach((name, bridge) -> observedPorts.put(name, new TreeMap<>(bridge.ports())));
    stalePorts = false;
  }

  /**
   * Whether {@code next} is {@code was} but for the ofports of the given ports and, when floating
   * IPs moved, their rule priorities: nothing else of the host (host-level flows, other routers)
   * depends on those.
   */
  private static boolean sameButOfportsAndFips(HostFacts next, HostFacts was, Set<String> ports, boolean fips) {
    if (!fips && !next.fipPriorities().equals(was.fipPriorities())) {
      return false;
    }
    SortedMap<String, Integer> a = new TreeMap<>(next.portOfports());
    SortedMap<String, Integer> b = new TreeMap<>(was.portOfports());
    a.keySet().removeAll(ports);
    b.keySet().removeAll(ports);
    return a.equals(b) && new HostFacts(next.host(), next.agentMode(), next.dvrMac(), next.tunnelType(), next.tunnelIp(),
        next.patchTunOfport(), next.patchIntOfport(), next.tunnelOfports(), was.portOfports(), next.localVlans(),
        was.fipPriorities(), next.linkLocalPairs()).equals(was);
  }

  /**
   * When every changed router changed only its ARP table (what an ArpUpdate does): the plan for
   * the neighbours that moved, diffed against the cached observed namespaces by their keys alone,
   * so that it costs what the changed entries cost, not what the routers hold. Empty when another
   * change is among them, or a namespace to change is not observed (the general path then runs).
   */
  private Optional<Increment> arpTablesOnly(Map<String, RouterInfo> now, Set<String> changed) {
    List<RouterPart.ArpTableChange> changes = new ArrayList<>();
    for (String id : changed) {
      RouterInfo was = routers.get(id);
      RouterInfo is = now.get(id);
      if (was == null || is == null || !RouterPart.onlyArpTableChanged(was, is)) {
        return Optional.empty();
      }
      RouterPart part = parts.get(id);
      if (part != null) { // a router not carried renders nothing, whatever its ARP table
        RouterPart.ArpTableChange change = part.withArpTable(was, is);
        if (!observed.containsKey(change.neighbours().namespace())) {
          return Optional.empty();
        }
        changes.add(change);
      }
    }
    Map<String, Set<Neighbour.Key>> keys = new HashMap<>();
    for (RouterPart.ArpTableChange change : changes) {
      NeighbourChange moved = change.neighbours();
      String ns = moved.namespace();
      parts.put(change.part().routerId(), change.part());
      // A neighbour goes from the namespace only when no part of it renders the same one any more.
      List<Neighbour> gone = moved.gone().stream().filter(n -> !renderedIn(ns, n)).toList();
      desired.put(ns, desired.get(ns).withNeighbours(gone, moved.added()));
      keys.computeIfAbsent(ns, k -> new HashSet<>()).addAll(moved.keys());
    }
    changed.forEach(id -> routers.put(id, now.get(id)));
    return Optional.of(new Increment(Reconciler.neighbours(desired, observed, keys), Set.of()));
  }

  private boolean renderedIn(String ns, Neighbour n) {
    for (String id : contributors.getOrDefault(ns, new TreeSet<>())) {
      for (NamespaceState part : parts.get(id).partsOf(ns)) {
        if (part.neighbours().contains(n)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Takes a plan a full apply executed, without reading anything back then (a full apply costs
   * what it cost before): its flows follow the plan, the namespaces it touched and, if it made,
   * deleted or tagged a port, the bridges' ports are read at the next incremental plan.
   */
  void executedInFull(Plan plan) {
    takeFlows(plan);
    for (Operation op : plan.operations()) {
      if (!(op instanceof Operation.AddFlows || op instanceof Operation.DeleteFlows)) {
        staleNamespaces.addAll(op.namespaces());
        stalePorts |= changesPorts(op);
      }
    }
    staleNamespaces.remove(Operation.ROOT);
  }

  private void readStale(HostDriver driver) {
    if (!staleNamespaces.isEmpty()) {
      readBack(driver, staleNamespaces);
      staleNamespaces.clear();
    }
    if (stalePorts) {
      readPorts(driver);
      stalePorts = false;
    }
  }

  private Increment rerender(HostRouters routers, Map<String, RouterInfo> now, Set<String> changed,
      boolean factsChanged, boolean bindingsChanged) {
    Set<String> touched = new TreeSet<>();
    Map<String, Set<Flow.Key>> keys = new TreeMap<>();
    List<OvsPort> ports = new ArrayList<>();
    for (String id : new TreeSet<>(changed)) {
      RouterInfo r = now.get(id);
      RouterPart before = parts.get(id);
      RouterPart after = r != null && HostRenderer.carries(r) ? HostRenderer.renderRouter(routers, r, facts) : null;
      if (after != null) {
        ports.addAll(after.ports());
      }
      if (Objects.equals(before, after)) {
        continue;
      }
      Set<String> names = new TreeSet<>();
      if (before != null) {
        names.addAll(before.namespaceNames());
        before.namespaceNames().forEach(ns -> contributors.get(ns).remove(id));
        parts.remove(id);
      }
      if (after != null) {
        names.addAll(after.namespaceNames());
        after.namespaceNames().forEach(ns -> contributors.computeIfAbsent(ns, k -> new TreeSet<>()).add(id));
        parts.put(id, after);
      }
      for (String ns : names) {
        if (before == null || after == null || !before.partsOf(ns).equals(after.partsOf(ns))) {
          touched.add(ns);
        }
      }
      countFlows(before, after, keys);
    }
    Set<String> namespaces = new TreeSet<>(touched);
    for (String ns : touched) {
      NamespaceState was = desired.get(ns);
      NamespaceState is = assemble(ns);
      if (is == null) {
        desired.remove(ns);
      } else {
        desired.put(ns, is);
      }
      vethPeers(was, is, observed.get(ns), namespaces);
    }
    HostState want = new HostState(pick(desired, namespaces), wantedBridges(keys, ports));
    HostState have = new HostState(pick(observed, namespaces), observedBridges(keys, ports));
    return new Increment(Reconciler.diff(want, have), namespaces, factsChanged, bindingsChanged);
  }

  /** A namespace from its contributors' cached parts, as the full render makes it; null when none is left. */
  private NamespaceState assemble(String ns) {
    SortedSet<String> ids = contributors.getOrDefault(ns, new TreeSet<>());
    if (ids.isEmpty()) {
      contributors.remove(ns);
      return null;
    }
    List<NamespaceState> nsParts = new ArrayList<>();
    ids.forEach(id -> nsParts.addAll(parts.get(id).partsOf(ns)));
    return HostRenderer.assemble(nsParts);
  }

  /** The namespaces at the other end of veth devices made, changed or removed here: the diff needs them too. */
  private static void vethPeers(NamespaceState was, NamespaceState is, NamespaceState seen, Set<String> into) {
    Map<String, Device> before = was == null ? Map.of() : was.devices();
    Map<String, Device> after = is == null ? Map.of() : is.devices();
    Set<String> names = new HashSet<>(before.keySet());
    names.addAll(after.keySet());
    for (String name : names) {
      Device b = before.get(name);
      Device a = after.get(name);
      if (!Objects.equals(a, b)) {
        addPeer(b, into);
        addPeer(a, into);
      }
    }
    if (seen != null) {
      for (Device d : seen.devices().values()) {
        Device a = after.get(d.name());
        if (a == null || !a.sameLink(d)) {
          addPeer(d, into);
        }
      }
    }
  }

  private static void addPeer(Device d, Set<String> into) {
    if (d != null && d.kind() == DeviceKind.VETH && !d.peerNamespace().isEmpty()) {
      into.add(d.peerNamespace());
    }
  }

  private void countFlows(RouterPart before, RouterPart after, Map<String, Set<Flow.Key>> keys) {
    Map<String, SortedSet<Flow>> was = before == null ? Map.of() : before.flows();
    Map<String, SortedSet<Flow>> is = after == null ? Map.of() : after.flows();
    Set<String> bridges = new TreeSet<>(was.keySet());
    bridges.addAll(is.keySet());
    for (String bridge : bridges) {
      Set<Flow> old = was.getOrDefault(bridge, new TreeSet<>());
      Set<Flow> next = is.getOrDefault(bridge, new TreeSet<>());
      for (Flow f : old) {
        if (!next.contains(f)) {
          count(bridge, f, -1);
          keys.computeIfAbsent(bridge, k -> new HashSet<>()).add(f.key());
        }
      }
      for (Flow f : next) {
        if (!old.contains(f)) {
          count(bridge, f, 1);
          keys.computeIfAbsent(bridge, k -> new HashSet<>()).add(f.key());
        }
      }
    }
  }

  private void count(String bridge, Flow f, int by) {
    Map<Flow.Key, Map<Flow, Integer>> byKey = desiredFlows.computeIfAbsent(bridge, k -> new HashMap<>());
    Map<Flow, Integer> flows = byKey.computeIfAbsent(f.key(), k -> new HashMap<>());
    flows.merge(f, by, (a, b) -> a + b == 0 ? null : a + b);
    if (flows.isEmpty()) {
      byKey.remove(f.key());
    }
  }

  private static SortedMap<String, NamespaceState> pick(Map<String, NamespaceState> from, Set<String> names) {
    SortedMap<String, NamespaceState> out = new TreeMap<>();
    names.forEach(n -> {
      NamespaceState ns = from.get(n);
      if (ns != null) {
        out.put(n, ns);
      }
    });
    return out;
  }

  /** Per bridge, the desired flows of the keys in play, and the changed routers' ports on br-int. */
  private SortedMap<String, BridgeState> wantedBridges(Map<String, Set<Flow.Key>> keys, List<OvsPort> ports) {
    SortedMap<String, BridgeState> out = new TreeMap<>();
    keys.forEach((bridge, ks) -> {
      List<Flow> flows = new ArrayList<>();
      Map<Flow.Key, Map<Flow, Integer>> byKey = desiredFlows.getOrDefault(bridge, Map.of());
      ks.forEach(k -> flows.addAll(byKey.getOrDefault(k, Map.of()).keySet()));
      out.put(bridge, BridgeState.of(bridge, flows));
    });
    if (!ports.isEmpty()) {
      out.merge(Names.BR_INT, BridgeState.of(Names.BR_INT, List.of(), ports),
          (flows, p) -> new BridgeState(flows.name(), flows.flows(), p.ports()));
    }
    return out;
  }

  /** The same bridges as observed: the flows of the keys in play and the ports of those keys. */
  private SortedMap<String, BridgeState> observedBridges(Map<String, Set<Flow.Key>> keys, List<OvsPort> ports) {
    SortedMap<String, BridgeState> out = new TreeMap<>();
    keys.forEach((bridge, ks) -> {
      List<Flow> flows = new ArrayList<>();
      Map<Flow.Key, Flow> byKey = observedFlows.getOrDefault(bridge, Map.of());
      ks.forEach(k -> Optional.ofNullable(byKey.get(k)).ifPresent(flows::add));
      out.put(bridge, BridgeState.of(bridge, flows));
    });
    if (!ports.isEmpty()) {
      String brInt = Names.BR_INT;
      Map<String, OvsPort> seen = observedPorts.getOrDefault(brInt, new TreeMap<>());
      List<OvsPort> have = new ArrayList<>();
      ports.forEach(p -> Optional.ofNullable(seen.get(p.key())).ifPresent(have::add));
      out.merge(brInt, BridgeState.of(brInt, List.of(), have),
          (flows, p) -> new BridgeState(flows.name(), flows.flows(), p.ports()));
    }
    return out;
  }

  /**
   * Takes what executing {@code plan} did: the namespaces diffed over and those the plan touched
   * are read back from the driver, the flows follow the plan (OVS keys them as the plan does),
   * and the bridges' ports are read again when the plan made, deleted or tagged a port.
   */
  void executed(Plan plan, HostDriver driver, Set<String> namespaces) {
    // A VM port's tag is set as the plan says (a bound port's): followed, not read back.
    List<Operation> rest = plan.operations().stream().filter(op -> !takeVmTag(op)).toList();
    Plan others = new Plan(rest);
    if (PlanEffects.followable(rest) && followPlan(others)) {
      return;
    }
    takeFlows(others);
    takeNeighbours(others);
    Set<String> read = new TreeSet<>(namespaces);
    boolean portsChanged = false;
    for (Operation op : rest) {
      if (!(op instanceof Operation.AddFlows || op instanceof Operation.DeleteFlows
          || op instanceof Operation.ReplaceNeighbour || op instanceof Operation.RemoveNeighbour)) {
        read.addAll(op.namespaces());
        portsChanged |= changesPorts(op);
      }
    }
    read.remove(Operation.ROOT);
    if (!read.isEmpty()) {
      readBack(driver, read);
    }
    if (portsChanged) {
      readPorts(driver);
    }
  }

  /** Whether the operation set the tag of a VM port the cache holds, now noted; false for any other operation. */
  private boolean takeVmTag(Operation op) {
    if (!(op instanceof Operation.SetPortTag tag) || !tag.namespace().equals(Operation.ROOT)) {
      return false;
    }
    SortedMap<String, OvsPort> ports = observedPorts.get(tag.bridge());
    if (ports == null) {
      return false;
    }
    for (OvsPort p : ports.values()) {
      if (p.kind() == OvsPort.Kind.VM && p.name().equals(tag.port())) {
        ports.put(p.key(), p.withTag(tag.tag()));
        return true;
      }
    }
    return false;
  }

  /**
   * A plan of small changes only (addresses, rules, routes, neighbours, sysctls, our nat chains,
   * flows): the namespaces it touched follow the plan ({@link PlanEffects}) instead of being read
   * back, so a floating IP costs no read of its namespaces. False, having changed nothing, when a
   * namespace it touched is not cached or an operation cannot be followed there.
   */
  private boolean followPlan(Plan plan) {
    Map<String, List<Operation>> byNamespace = new TreeMap<>();
    for (Operation op : plan.operations()) {
      if (!(op instanceof Operation.AddFlows || op instanceof Operation.DeleteFlows)) {
        byNamespace.computeIfAbsent(op.namespace(), k -> new ArrayList<>()).add(op);
      }
    }
    Map<String, NamespaceState> after = new HashMap<>();
    for (Map.Entry<String, List<Operation>> e : byNamespace.entrySet()) {
      NamespaceState seen = observed.get(e.getKey());
      Optional<NamespaceState> next = seen == null ? Optional.empty() : PlanEffects.apply(seen, e.getValue());
      if (next.isEmpty()) {
        return false;
      }
      after.put(e.getKey(), next.get());
    }
    observed.putAll(after);
    takeFlows(plan);
    return true;
  }

  /** OVS keys flows as the plan does: an added flow replaces its key's, a deleted one goes with its cookie. */
  private void takeFlows(Plan plan) {
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.AddFlows a) {
        Map<Flow.Key, Flow> byKey = observedFlows.computeIfAbsent(a.bridge(), k -> new HashMap<>());
        a.flows().forEach(f -> byKey.put(f.key(), f));
      } else if (op instanceof Operation.DeleteFlows d) {
        Map<Flow.Key, Flow> byKey = observedFlows.getOrDefault(d.bridge(), new HashMap<>());
        d.flows().forEach(f -> byKey.computeIfPresent(f.key(), (k, old) -> old.cookie() == f.cookie() ? null : old));
      }
    }
  }

  /**
   * The kernel keys permanent neighbours by address and device, as the plan does: a replaced one
   * is what the plan said, a removed one is gone. Namespaces the plan also changed otherwise are
   * read back after this.
   */
  private void takeNeighbours(Plan plan) {
    Map<String, List<Neighbour>> gone = new TreeMap<>();
    Map<String, List<Neighbour>> added = new TreeMap<>();
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.ReplaceNeighbour r) {
        gone.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(r.neighbour());
        added.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(r.neighbour());
      } else if (op instanceof Operation.RemoveNeighbour r) {
        gone.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(r.neighbour());
      }
    }
    gone.forEach((ns, neighbours) -> {
      NamespaceState seen = observed.get(ns);
      if (seen != null) {
        List<Neighbour> same = seen.neighboursOf(neighbours.stream().map(Neighbour::key).toList());
        observed.put(ns, seen.withNeighbours(same, added.getOrDefault(ns, List.of())));
      }
    });
  }

  private void readBack(HostDriver driver, Set<String> names) {
    SortedMap<String, NamespaceState> seen = driver.observeNamespaces(names);
    names.forEach(name -> {
      NamespaceState ns = seen.get(name);
      if (ns == null) {
        observed.remove(name);
      } else {
        observed.put(name, ns);
      }
    });
  }

  private void readPorts(HostDriver driver) {
    observedPorts.clear();
    // What is read back are the agent's own changes: the ports as reported hold them.
    driver.reportedPorts().forEach((name, bridge) -> observedPorts.put(name, new TreeMap<>(bridge.ports())));
  }

  /** Whether an operation can make, delete or tag an OVS port (internal ports live and die with devices). */
  private static boolean changesPorts(Operation op) {
    return !(op instanceof Operation.AddAddress || op instanceof Operation.RemoveAddress
        || op instanceof Operation.SetSysctl || op instanceof Operation.AddRule || op instanceof Operation.RemoveRule
        || op instanceof Operation.ReplaceRoute || op instanceof Operation.RemoveRoute
        || op instanceof Operation.ReplaceNeighbour || op instanceof Operation.RemoveNeighbour
        || op instanceof Operation.ReplaceNat || op instanceof Operation.CreateNamespace
        || op instanceof Operation.SetLink || op instanceof Operation.CreateVethPair);
  }

  /** An observed namespace as the cache holds it (tests compare it with the host). */
  Optional<NamespaceState> observedNamespace(String name) {
    return Optional.ofNullable(observed.get(name));
  }

  /** The desired namespaces as the cache holds them (tests compare them with a full render). */
  SortedMap<String, NamespaceState> desiredNamespaces() {
    return new TreeMap<>(desired);
  }
}
