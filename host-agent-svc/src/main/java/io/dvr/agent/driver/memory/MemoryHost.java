package io.dvr.agent.driver.memory;

import io.dvr.agent.driver.listing.IpAddrListing;
import io.dvr.agent.driver.listing.IpNeighListing;
import io.dvr.agent.driver.listing.IpRouteListing;
import io.dvr.agent.driver.listing.IpRuleListing;
import io.dvr.agent.driver.listing.IptablesListing;
import io.dvr.agent.driver.listing.NetnsListing;
import io.dvr.agent.driver.listing.OfctlListing;
import io.dvr.agent.driver.listing.SysctlListing;
import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.Flow;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Operation.AddAddress;
import io.dvr.agent.reconcile.Operation.AddFlows;
import io.dvr.agent.reconcile.Operation.AddRule;
import io.dvr.agent.reconcile.Operation.CreateInternalPort;
import io.dvr.agent.reconcile.Operation.CreateNamespace;
import io.dvr.agent.reconcile.Operation.CreateVethPair;
import io.dvr.agent.reconcile.Operation.DeleteDevice;
import io.dvr.agent.reconcile.Operation.DeleteFlows;
import io.dvr.agent.reconcile.Operation.DeleteNamespace;
import io.dvr.agent.reconcile.Operation.RemoveAddress;
import io.dvr.agent.reconcile.Operation.RemoveNeighbour;
import io.dvr.agent.reconcile.Operation.RemoveRoute;
import io.dvr.agent.reconcile.Operation.RemoveRule;
import io.dvr.agent.reconcile.Operation.ReplaceNat;
import io.dvr.agent.reconcile.Operation.ReplaceNeighbour;
import io.dvr.agent.reconcile.Operation.ReplaceRoute;
import io.dvr.agent.reconcile.Operation.SetLink;
import io.dvr.agent.reconcile.Operation.SetSysctl;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.render.Names;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** One host's kernel and OVS in memory: executes plans, reports its state, prints native listings. */
public final class MemoryHost {
  private final String host;
  private final Map<String, MemoryNamespace> namespaces = new TreeMap<>();
  private final Map<String, Map<Flow.Key, Flow>> bridges = new TreeMap<>();
  private int nextIfindex = 2;

  public MemoryHost(String host) {
    this.host = host;
  }

  public String host() {
    return host;
  }

  public void execute(Plan plan) {
    plan.operations().forEach(this::execute);
  }

  public void execute(Operation op) {
    if (op instanceof CreateNamespace c) {
      namespaces.computeIfAbsent(c.namespace(), MemoryNamespace::new);
    } else if (op instanceof DeleteNamespace d) {
      MemoryNamespace gone = namespaces.remove(d.namespace());
      if (gone != null) {
        gone.devices.values().forEach(this::removePeer);
      }
    } else if (op instanceof CreateInternalPort c) {
      MemoryNamespace ns = ns(c.namespace(), op);
      if (!ns.devices.containsKey(c.device())) {
        ns.addDevice(Device.internalPort(c.device(), c.bridge(), mac(c.namespace(), c.device()), Names.DEFAULT_MTU,
            new TreeSet<>()), nextIfindex++);
      }
    } else if (op instanceof CreateVethPair c) {
      createVeth(c);
    } else if (op instanceof DeleteDevice d) {
      MemoryNamespace ns = namespaces.get(d.namespace());
      Device dev = ns == null ? null : ns.devices.get(d.device());
      if (dev != null) {
        ns.removeDevice(dev.name());
        removePeer(dev);
      }
    } else if (op instanceof SetLink s) {
      MemoryNamespace ns = ns(s.namespace(), op);
      Device d = device(ns, s.device(), op);
      ns.devices.put(d.name(), d.withLink(s.mac().isEmpty() ? d.mac() : s.mac(), s.mtu()));
    } else if (op instanceof AddAddress a) {
      MemoryNamespace ns = ns(a.namespace(), op);
      ns.addAddress(device(ns, a.device(), op), a.address());
    } else if (op instanceof RemoveAddress a) {
      MemoryNamespace ns = ns(a.namespace(), op);
      Device d = ns.devices.get(a.device());
      if (d != null) {
        ns.removeAddress(d, a.address());
      }
    } else {
      executeTables(op);
    }
  }

  /** Sysctls, rules, routes, neighbours, nat and flows: tables keyed the way the kernel and OVS key them. */
  private void executeTables(Operation op) {
    if (op instanceof SetSysctl s) {
      MemoryNamespace ns = ns(s.namespace(), op);
      String prefix = "net.ipv4.conf.";
      if (s.key().startsWith(prefix)) {
        String dev = s.key().substring(prefix.length(), s.key().lastIndexOf('.'));
        if (!dev.equals("all") && !dev.equals("default")) {
          device(ns, dev, op);
        }
      }
      ns.sysctls.put(s.key(), s.value());
    } else if (op instanceof AddRule r) {
      ns(r.namespace(), op).rules.add(r.rule());
    } else if (op instanceof RemoveRule r) {
      ns(r.namespace(), op).rules.remove(r.rule());
    } else if (op instanceof ReplaceRoute r) {
      MemoryNamespace ns = ns(r.namespace(), op);
      device(ns, r.route().dev(), op);
      ns.routes.put(r.route().key(), r.route());
    } else if (op instanceof RemoveRoute r) {
      ns(r.namespace(), op).routes.remove(r.route().key());
    } else if (op instanceof ReplaceNeighbour n) {
      MemoryNamespace ns = ns(n.namespace(), op);
      device(ns, n.neighbour().dev(), op);
      ns.neighbours.put(n.neighbour().key(), n.neighbour());
    } else if (op instanceof RemoveNeighbour n) {
      ns(n.namespace(), op).neighbours.remove(n.neighbour().key());
    } else if (op instanceof ReplaceNat n) {
      MemoryNamespace ns = ns(n.namespace(), op);
      ns.nat = ns.nat.withoutOwned(Names::isOurChain).merge(n.ours());
    } else if (op instanceof AddFlows a) {
      Map<Flow.Key, Flow> flows = bridges.computeIfAbsent(a.bridge(), k -> new LinkedHashMap<>());
      a.flows().forEach(f -> flows.put(f.key(), f));
    } else if (op instanceof DeleteFlows d) {
      Map<Flow.Key, Flow> flows = bridges.getOrDefault(d.bridge(), new LinkedHashMap<>());
      d.flows().forEach(f -> flows.computeIfPresent(f.key(), (k, old) -> old.cookie() == f.cookie() ? null : old));
    } else {
      throw new IllegalArgumentException("host " + host + ": unknown operation " + op);
    }
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
  public HostState observe() {
    Map<String, NamespaceState> ns = new TreeMap<>();
    namespaces.forEach((name, n) -> ns.put(name, n.snapshot()));
    Map<String, BridgeState> br = new TreeMap<>();
    bridges.forEach((name, flows) -> br.put(name, BridgeState.of(name, flows.values())));
    return HostState.of(ns, br);
  }

  // ---- native listings

  public String ipNetns() {
    return NetnsListing.print(namespaces.keySet());
  }

  public String ipAddr(String namespace) {
    MemoryNamespace ns = listed(namespace);
    return IpAddrListing.print(ns.snapshot(), ns.ifindex);
  }

  public String ipRule(String namespace) {
    return IpRuleListing.print(listed(namespace).snapshot());
  }

  public String ipRoute(String namespace) {
    return ipRoute(namespace, Route.MAIN_TABLE);
  }

  public String ipRoute(String namespace, long table) {
    return IpRouteListing.print(listed(namespace).snapshot(), table);
  }

  public String ipNeigh(String namespace) {
    return IpNeighListing.print(listed(namespace).snapshot());
  }

  public String iptablesNat(String namespace) {
    return IptablesListing.print(listed(namespace).nat);
  }

  public String sysctl(String namespace, String key) {
    return SysctlListing.print(listed(namespace).snapshot(), key);
  }

  public String dumpFlows(String bridge) {
    Map<Flow.Key, Flow> flows = bridges.getOrDefault(bridge, Map.of());
    return OfctlListing.print(BridgeState.of(bridge, flows.values()));
  }

  /** Every listing, titled like the sections of dvrctl host-state ("qrouter-X: ip rule"). */
  public Map<String, String> sections() {
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
    }
    bridges.keySet().forEach(b -> out.put("ovs-ofctl dump-flows " + b, dumpFlows(b)));
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
