package io.dvr.agent.driver.memory;

import io.dvr.agent.driver.listing.IpAddrListing;
import io.dvr.agent.driver.listing.IpNeighListing;
import io.dvr.agent.driver.listing.IpRouteListing;
import io.dvr.agent.driver.listing.IpRuleListing;
import io.dvr.agent.driver.listing.IptablesListing;
import io.dvr.agent.driver.listing.NetnsListing;
import io.dvr.agent.driver.listing.OfctlListing;
import io.dvr.agent.driver.listing.SysctlListing;
import io.dvr.agent.driver.HostDriver;
import io.dvr.agent.driver.OperationHandlers;
import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.OvsPort;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Operation.AddAddress;
import io.dvr.agent.reconcile.Operation.AddFlows;
import io.dvr.agent.reconcile.Operation.AddRule;
import io.dvr.agent.reconcile.Operation.AddTunnelPort;
import io.dvr.agent.reconcile.Operation.CreateInternalPort;
import io.dvr.agent.reconcile.Operation.CreateNamespace;
import io.dvr.agent.reconcile.Operation.CreateVethPair;
import io.dvr.agent.reconcile.Operation.DeleteDevice;
import io.dvr.agent.reconcile.Operation.DeleteFlows;
import io.dvr.agent.reconcile.Operation.DeleteNamespace;
import io.dvr.agent.reconcile.Operation.DeleteTunnelPort;
import io.dvr.agent.reconcile.Operation.RemoveAddress;
import io.dvr.agent.reconcile.Operation.RemoveNeighbour;
import io.dvr.agent.reconcile.Operation.RemoveRoute;
import io.dvr.agent.reconcile.Operation.RemoveRule;
import io.dvr.agent.reconcile.Operation.ReplaceNat;
import io.dvr.agent.reconcile.Operation.ReplaceNeighbour;
import io.dvr.agent.reconcile.Operation.ReplaceRoute;
import io.dvr.agent.reconcile.Operation.SetLink;
import io.dvr.agent.reconcile.Operation.SetPortTag;
import io.dvr.agent.reconcile.Operation.SetSysctl;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.render.Names;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One host's kernel and OVS in memory, the memory driver: executes plans, reports its state,
 * prints native listings. Its bridges start as a host set up for DVR has them: br-int with
 * patch-tun and br-tun with patch-int, each at ofport 1, and br-ex. VM ports are plugged by the simulated
 * hypervisor ({@link SimulatedNova}) or a test. Every public method takes the host's lock (this
 * object), so readers see a plan's effect whole.
 */
public final class MemoryHost implements HostDriver {
  private static final OperationHandlers<MemoryHost> HANDLERS = new OperationHandlers<MemoryHost>("the memory driver")
      .on(CreateNamespace.class, (c, h) -> h.namespaces.computeIfAbsent(c.namespace(), MemoryNamespace::new))
      .on(DeleteNamespace.class, (d, h) -> h.deleteNamespace(d))
      .on(CreateInternalPort.class, (c, h) -> h.createInternalPort(c))
      .on(CreateVethPair.class, (c, h) -> h.createVeth(c))
      .on(DeleteDevice.class, (d, h) -> h.deleteDevice(d))
      .on(SetLink.class, (s, h) -> h.setLink(s))
      .on(AddAddress.class, (a, h) -> {
        MemoryNamespace ns = h.ns(a.namespace(), a);
        ns.addAddress(h.device(ns, a.device(), a), a.address());
      })
      .on(RemoveAddress.class, (a, h) -> {
        MemoryNamespace ns = h.ns(a.namespace(), a);
        Device d = ns.devices.get(a.device());
        if (d != null) {
          ns.removeAddress(d, a.address());
        }
      })
      .on(SetSysctl.class, (s, h) -> h.setSysctl(s))
      .on(AddRule.class, (r, h) -> h.ns(r.namespace(), r).rules.add(r.rule()))
      .on(RemoveRule.class, (r, h) -> h.ns(r.namespace(), r).rules.remove(r.rule()))
      .on(ReplaceRoute.class, (r, h) -> {
        MemoryNamespace ns = h.ns(r.namespace(), r);
        h.device(ns, r.route().dev(), r);
        ns.routes.put(r.route().key(), r.route());
      })
      .on(RemoveRoute.class, (r, h) -> h.ns(r.namespace(), r).routes.remove(r.route().key()))
      .on(ReplaceNeighbour.class, (n, h) -> {
        MemoryNamespace ns = h.ns(n.namespace(), n);
        h.device(ns, n.neighbour().dev(), n);
        ns.neighbours.put(n.neighbour().key(), n.neighbour());
      })
      .on(RemoveNeighbour.class, (n, h) -> h.ns(n.namespace(), n).neighbours.remove(n.neighbour().key()))
      .on(ReplaceNat.class, (n, h) -> {
        MemoryNamespace ns = h.ns(n.namespace(), n);
        ns.nat = ns.nat.withoutOwned(Names::isOurChain).merge(n.ours());
      })
      .on(AddFlows.class, (a, h) -> {
        MemoryBridge b = h.bridge(a.bridge());
        b.hasFlowTable = true;
        a.flows().forEach(f -> b.flows.put(f.key(), f));
      })
      .on(DeleteFlows.class, (d, h) -> {
        MemoryBridge b = h.bridges.get(d.bridge());
        if (b != null) {
          d.flows().forEach(f -> b.flows.computeIfPresent(f.key(), (k, old) -> old.cookie() == f.cookie() ? null : old));
        }
      })
      .on(AddTunnelPort.class, (t, h) -> h.bridge(t.bridge()).add(
          OvsPort.tunnel(t.port(), t.type(), t.remoteIp(), t.localIp(), t.peerHost())))
      .on(DeleteTunnelPort.class, (t, h) -> {
        MemoryBridge b = h.bridges.get(t.bridge());
        if (b != null) {
          b.removeByName(t.port());
        }
      })
      .on(SetPortTag.class, (t, h) -> h.setPortTag(t));

  private final String host;
  private final Map<String, MemoryNamespace> namespaces = new TreeMap<>();
  private final Map<String, MemoryBridge> bridges = new TreeMap<>();
  /** Told when the simulated switch restarts ({@link #restartSwitch}); null until the agent watches. */
  private Runnable switchWatcher;
  private int nextIfindex = 2;
  private final Map<Class<? extends Operation>, String> refused = new LinkedHashMap<>();

  public MemoryHost(String host) {
    this.host = host;
    bridge(Names.BR_INT).add(OvsPort.patch(Names.PATCH_TUN, OvsPort.NO_OFPORT));
    bridge(Names.BR_TUN).add(OvsPort.patch(Names.PATCH_INT, OvsPort.NO_OFPORT));
    bridge(Names.BR_EX);
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public Set<Class<? extends Operation>> handledOperations() {
    return HANDLERS.kinds();
  }

  @Override
  public synchronized void execute(Plan plan) {
    plan.operations().forEach(this::execute);
  }

  public synchronized void execute(Operation op) {
    String reason = refused.get(op.getClass());
    if (reason != null) {
      throw fail(op, reason);
    }
    HANDLERS.handle(op, this);
  }

  // ---- the host's own refusals

  /**
   * From now on operations of this kind fail with {@code reason}, as a kernel or OVS that refuses
   * them would (a missing module, a policy, a full table): a host whose applies fail.
   */
  public synchronized void refuse(Class<? extends Operation> kind, String reason) {
    refused.put(kind, reason);
  }

  /** Operations of every kind are carried out again. */
  public synchronized void stopRefusing() {
    refused.clear();
  }

  // ---- the hypervisor's hands

  /** Plugs a VM's port into br-int, as Nova would: an OVS port carrying the Neutron port id. */
  public synchronized void plugVm(String portName, String ifaceId) {
    bridge(Names.BR_INT).add(OvsPort.vm(ifaceId, OvsPort.NO_TAG).withName(portName));
  }

  /**
   * Restarts the simulated Open vSwitch: its bridges and ports stay (they are in its database),
   * every flow is gone; the agent is told as the Linux driver's canary check tells it.
   */
  public void restartSwitch() {
    Runnable watcher;
    synchronized (this) {
      bridges.values().forEach(b -> b.flows.clear());
      watcher = switchWatcher;
    }
    if (watcher != null) {
      watcher.run();
    }
  }

  @Override
  public synchronized void watchSwitch(Runnable flowsLost) {
    switchWatcher = flowsLost;
  }

  public synchronized void unplugVm(String portName) {
    bridges.values().forEach(b -> b.removeIf(p -> p.kind() == OvsPort.Kind.VM && p.name().equals(portName)));
  }

  /** The VM ports plugged, Neutron port id by OVS port name. */
  public synchronized Map<String, String> vmPorts() {
    Map<String, String> out = new TreeMap<>();
    bridges.values().forEach(b -> b.ports().stream().filter(p -> p.kind() == OvsPort.Kind.VM)
        .forEach(p -> out.put(p.name(), p.ifaceId())));
    return out;
  }

  // ---- operations

  private void deleteNamespace(DeleteNamespace d) {
    MemoryNamespace gone = namespaces.remove(d.namespace());
    if (gone != null) {
      gone.devices.values().forEach(dev -> {
        removePeer(dev);
        unplug(dev);
      });
    }
  }

  private void createInternalPort(CreateInternalPort c) {
    MemoryNamespace ns = ns(c.namespace(), c);
    if (!ns.devices.containsKey(c.device())) {
      ns.addDevice(Device.internalPort(c.device(), c.bridge(), mac(c.namespace(), c.device()), Names.DEFAULT_MTU,
          new TreeSet<>()), nextIfindex++);
      bridge(c.bridge()).add(OvsPort.plugged(c.namespace(), c.device(), OvsPort.NO_TAG).withName(c.device()));
    }
  }

  private void deleteDevice(DeleteDevice d) {
    MemoryNamespace ns = namespaces.get(d.namespace());
    Device dev = ns == null ? null : ns.devices.get(d.device());
    if (dev != null) {
      ns.removeDevice(dev.name());
      removePeer(dev);
      unplug(dev);
    }
  }

  private void setLink(SetLink s) {
    MemoryNamespace ns = ns(s.namespace(), s);
    Device d = device(ns, s.device(), s);
    ns.devices.put(d.name(), d.withLink(s.mac().isEmpty() ? d.mac() : s.mac(), s.mtu()));
  }

  private void setSysctl(SetSysctl s) {
    MemoryNamespace ns = ns(s.namespace(), s);
    String prefix = s.key().startsWith("net.ipv6.conf.") ? "net.ipv6.conf." : "net.ipv4.conf.";
    if (s.key().startsWith(prefix)) {
      String dev = s.key().substring(prefix.length(), s.key().lastIndexOf('.'));
      if (!dev.equals("all") && !dev.equals("default")) {
        device(ns, dev, s);
      }
    }
    ns.sysctls.put(s.key(), s.value());
  }

  /** As ovs-vsctl set Port: the port must exist (a device's, found by the device; or by OVS name). */
  private void setPortTag(SetPortTag t) {
    MemoryBridge b = bridges.get(t.bridge());
    OvsPort port = b == null ? null : t.namespace().isEmpty() ? b.byName(t.port()).orElse(null) : b.byKey(t.port()).orElse(null);
    if (port == null || (!t.namespace().isEmpty() && !port.namespace().equals(t.namespace()))) {
      throw fail(t, "ovs-vsctl: no row \"" + t.port() + "\" in table Port");
    }
    b.replace(port.withTag(t.tag()));
  }

  /** An internal port leaves its bridge with its device. */
  private void unplug(Device d) {
    if (d.kind() == DeviceKind.OVS_INTERNAL) {
      MemoryBridge b = bridges.get(d.bridge());
      if (b != null) {
        b.removeByKey(d.name());
      }
    }
  }

  private MemoryBridge bridge(String name) {
    return bridges.computeIfAbsent(name, MemoryBridge::new);
  }

  private void createVeth(CreateVethPair c) {
    MemoryNamespace ns = ns(c.namespace(), c);
    MemoryNamespace peerNs = ns(c.peerNamespace(), c);
    boolean here = ns.devices.containsKey(c.device());
    boolean there = peerNs.devices.containsKey(c.peer());
    if (here && there) {
      return;
    }
    if (here || there) {
      throw fail(c, "RTNETLINK answers: File exists");
    }
    ns.addDevice(new Device(c.device(), DeviceKind.VETH, mac(c.namespace(), c.device()), Names.DEFAULT_MTU,
        new TreeSet<>(), "", c.peer(), c.peerNamespace()), nextIfindex++);
    peerNs.addDevice(new Device(c.peer(), DeviceKind.VETH, mac(c.peerNamespace(), c.peer()), Names.DEFAULT_MTU,
        new TreeSet<>(), "", c.device(), c.namespace()), nextIfindex++);
  }

  private void removePeer(Device d) {
    if (d.kind() == DeviceKind.VETH) {
      MemoryNamespace peerNs = namespaces.get(d.peerNamespace());
      if (peerNs != null) {
        peerNs.removeDevice(d.peer());
      }
    }
  }

  private MemoryNamespace ns(String name, Operation op) {
    MemoryNamespace ns = namespaces.get(name);
    if (ns == null) {
      throw fail(op, "Cannot open network namespace \"" + name + "\": No such file or directory");
    }
    return ns;
  }

  private Device device(MemoryNamespace ns, String name, Operation op) {
    Device d = ns.devices.get(name);
    if (d == null) {
      throw fail(op, "Cannot find device \"" + name + "\" in namespace " + ns.name);
    }
    return d;
  }

  private IllegalStateException fail(Operation op, String reason) {
    return new IllegalStateException("host " + host + ": " + op + ": " + reason);
  }

  /** A stable, locally administered unicast MAC for a device the kernel would give a random one. */
  static String mac(String namespace, String device) {
    long h = 0xcbf29ce484222325L;
    for (char ch : (namespace + "/" + device).toCharArray()) {
      h = (h ^ ch) * 0x100000001b3L;
    }
    StringBuilder s = new StringBuilder(String.format("%02x", ((h >>> 40) & 0xfc) | 0x02));
    for (int shift = 32; shift >= 0; shift -= 8) {
      s.append(String.format(":%02x", (h >>> shift) & 0xff));
    }
    return s.toString();
  }

  /** The state as a driver reads it back: everything, ours and foreign. */
  @Override
  public synchronized HostState observe() {
    Map<String, NamespaceState> ns = new TreeMap<>();
    namespaces.forEach((name, n) -> ns.put(name, n.snapshot()));
    Map<String, BridgeState> br = new TreeMap<>();
    bridges.forEach((name, b) -> br.put(name, b.snapshot(true)));
    return HostState.of(ns, br);
  }

  /** Only the named namespaces: an incremental apply reads back what it touched, not the whole host. */
  @Override
  public synchronized SortedMap<String, NamespaceState> observeNamespaces(Set<String> names) {
    SortedMap<String, NamespaceState> ns = new TreeMap<>();
    for (String name : names) {
      MemoryNamespace n = namespaces.get(name);
      if (n != null) {
        ns.put(name, n.snapshot());
      }
    }
    return ns;
  }

  @Override
  public synchronized SortedMap<String, BridgeState> observePorts() {
    SortedMap<String, BridgeState> br = new TreeMap<>();
    bridges.forEach((name, b) -> br.put(name, b.snapshot(false)));
    return br;
  }

  // ---- native listings

  public synchronized String ipNetns() {
    return NetnsListing.print(namespaces.keySet());
  }

  public synchronized String ipAddr(String namespace) {
    MemoryNamespace ns = listed(namespace);
    return IpAddrListing.print(ns.snapshot(), ns.ifindex);
  }

  public synchronized String ipRule(String namespace) {
    return IpRuleListing.print(listed(namespace).snapshot());
  }

  public synchronized String ipRoute(String namespace) {
    return ipRoute(namespace, Route.MAIN_TABLE);
  }

  public synchronized String ipRoute(String namespace, long table) {
    return IpRouteListing.print(listed(namespace).snapshot(), table);
  }

  public synchronized String ipNeigh(String namespace) {
    return IpNeighListing.print(listed(namespace).snapshot());
  }

  /**
   * The permanent neighbour of an address on a device, as {@code ip neigh show <ip> dev <dev>}
   * shows it; empty without one or without the namespace. Costs one lookup, not a listing.
   */
  public synchronized Optional<Neighbour> neighbour(String namespace, Neighbour.Key key) {
    MemoryNamespace ns = namespaces.get(namespace);
    return ns == null ? Optional.empty() : Optional.ofNullable(ns.neighbours.get(key));
  }

  public synchronized String iptablesNat(String namespace) {
    return IptablesListing.print(listed(namespace).nat);
  }

  public synchronized String sysctl(String namespace, String key) {
    return SysctlListing.print(listed(namespace).snapshot(), key);
  }

  public synchronized String dumpFlows(String bridge) {
    MemoryBridge b = bridges.get(bridge);
    return OfctlListing.print(BridgeState.of(bridge, b == null ? java.util.List.of() : b.flows.values()));
  }

  /** Every listing, titled like the sections of dvrctl host-state ("qrouter-X: ip rule"). */
  public synchronized Map<String, String> sections() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("ip netns", ipNetns());
    for (String name : namespaces.keySet()) {
      out.put(name + ": ip addr", ipAddr(name));
      out.put(name + ": ip rule", ipRule(name));
      out.put(name + ": ip route", ipRoute(name));
      SortedSet<Long> tables = new TreeSet<>();
      namespaces.get(name).routes.keySet().forEach(k -> tables.add(k.table()));
      tables.remove(Route.MAIN_TABLE);
      tables.forEach(t -> out.put(name + ": ip route list table " + t, ipRoute(name, t)));
      out.put(name + ": ip neigh", ipNeigh(name));
      out.put(name + ": iptables -t nat -S", iptablesNat(name));
      out.put(name + ": sysctl", SysctlListing.print(namespaces.get(name).snapshot()));
    }
    bridges.values().stream().filter(b -> b.hasFlowTable)
        .forEach(b -> out.put("ovs-ofctl dump-flows " + b.name, dumpFlows(b.name)));
    return out;
  }

  @Override
  public synchronized Map<String, String> listing(String namespace) {
    Map<String, String> out = new LinkedHashMap<>();
    sections().forEach((title, text) -> {
      if (namespace.isEmpty() || title.startsWith(namespace + ":")) {
        out.put(title, text);
      }
    });
    return out;
  }

  private MemoryNamespace listed(String namespace) {
    MemoryNamespace ns = namespaces.get(namespace);
    if (ns == null) {
      throw new IllegalArgumentException("host " + host + ": Cannot open network namespace \"" + namespace
          + "\": No such file or directory");
    }
    return ns;
  }
}
