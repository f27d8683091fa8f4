package io.dvr.agent.driver.linux;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.HostState;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.NatTable;
import io.dvr.agent.render.Names;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a host back into the model: every namespace by name, and ours in full (devices, IPv4
 * addresses, the sysctls we manage, rules, routes of all tables, permanent neighbours, the nat
 * table), plus every bridge's ports and the flows of the configured bridges. Foreign namespaces
 * are listed empty: the reconciler never looks into them. Namespaces are read in parallel, three processes each.
 */
final class KernelReader {
  private static final String READ_BATCH = "link show\naddr show\nrule show\nroute show table all\nneigh show\n"
      + "netns list-id\n";

  private final CommandRunner runner;
  private final LinuxOptions options;
  private final PortReader ports;

  KernelReader(CommandRunner runner, LinuxOptions options, PortReader ports) {
    this.runner = runner;
    this.options = options;
    this.ports = ports;
  }

  /** What one namespace holds before veth peers are resolved across namespaces. */
  private record Raw(String name, List<IpJson.Link> links, Map<String, SortedSet<IpPrefix>> addresses,
      NamespaceState.Builder builder, Map<Integer, String> nsids, NatTable nat) {}

  HostState observe() {
    List<String> names = NamespaceFiles.live(runner, options.timeout());
    OvsPorts ovs = options.ovs() ? ports.read() : new OvsPorts(List.of());
    Map<String, NamespaceState> namespaces = namespaces(names, names, ovs);
    // Every bridge with its ports; the flows of the configured ones.
    Map<String, BridgeState> bridges = new TreeMap<>(ovs.bridges());
    if (options.ovs()) {
      for (String bridge : options.bridges()) {
        CommandResult dump = runner.exec(cmd("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "--no-names",
            "dump-flows", bridge));
        if (dump.ok()) {
          BridgeState ports = bridges.getOrDefault(bridge, BridgeState.of(bridge, List.of()));
          bridges.put(bridge, new BridgeState(bridge, new TreeSet<>(FlowText.parseDump(dump.stdout())), ports.ports()));
        } else if (!dump.stderr().contains("is not a bridge")) {
          dump.orThrow();
        }
      }
    }
    return HostState.of(namespaces, bridges);
  }

  /**
   * The named namespaces as {@link #observe()} reads them, those that exist: one {@code ip netns
   * list} and one read of the ports, then only these namespaces and the peers' of their veths.
   */
  SortedMap<String, NamespaceState> observe(Set<String> wanted) {
    List<String> names = NamespaceFiles.live(runner, options.timeout());
    // After the agent's own plan: the ports as reported hold its writes (they are what places devices).
    OvsPorts ovs = options.ovs() ? ports.reported() : new OvsPorts(List.of());
    return namespaces(names, names.stream().filter(wanted::contains).toList(), ovs);
  }

  /**
   * The {@code wanted} namespaces of those that exist ({@code names}): ours read in full, in
   * parallel, foreign ones empty. A veth's peer is named by reading its namespace's links, so
   * the peers' namespaces are read too when they are not among the wanted.
   */
  private SortedMap<String, NamespaceState> namespaces(List<String> names, List<String> wanted, OvsPorts ovs) {
    Map<String, Map<String, String>> plugged = ovs.pluggedByNamespace();
    Map<String, Raw> raw = readAll(wanted.stream().filter(Names::isOurNamespace).toList());
    Set<String> peers = new TreeSet<>();
    raw.values().forEach(r -> r.links().stream().filter(l -> l.kind().equals("veth") && l.peerNetnsId() >= 0)
        .map(l -> r.nsids().getOrDefault(l.peerNetnsId(), "")).filter(names::contains).forEach(peers::add));
    peers.removeAll(raw.keySet());
    raw.putAll(readAll(List.copyOf(peers)));
    SortedMap<String, NamespaceState> namespaces = new TreeMap<>();
    for (String name : wanted) {
      Raw r = raw.get(name);
      namespaces.put(name, r == null ? NamespaceState.empty(name) : build(r, raw, plugged.getOrDefault(name, Map.of())));
    }
    return namespaces;
  }

  private Map<String, Raw> readAll(List<String> names) {
    List<CompletableFuture<Raw>> reads = new ArrayList<>();
    for (String name : names) {
      reads.add(CompletableFuture.supplyAsync(() -> read(name), runner.pool()));
    }
    Map<String, Raw> raw = new TreeMap<>();
    reads.forEach(f -> {
      Raw r = LinuxHost.join(f);
      raw.put(r.name(), r);
    });
    return raw;
  }

  private Raw read(String ns) {
    List<String> out = runner.run(cmd("ip", "-4", "-d", "-j", "-n", ns, "-batch", "-").withStdin(READ_BATCH))
        .stdout().lines().filter(l -> !l.isBlank()).toList();
    if (out.size() != 6) {
      throw new IllegalStateException("namespace " + ns + ": ip -batch printed " + out.size() + " results instead of 6");
    }
    List<IpJson.Link> links = IpJson.links(new JsonArray(out.get(0)));
    NamespaceState.Builder b = NamespaceState.builder(ns);
    IpJson.rules(new JsonArray(out.get(2))).forEach(b::rule);
    IpJson.routes(new JsonArray(out.get(3))).forEach(b::route);
    IpJson.neighbours(new JsonArray(out.get(4))).forEach(b::neighbour);
    List<String> keys = new ArrayList<>(List.of(Names.IP_FORWARD, Names.ALL_SEND_REDIRECTS, Names.IP_NONLOCAL_BIND));
    links.stream().map(IpJson.Link::name).filter(Names::isOurDevice)
        .forEach(d -> keys.addAll(List.of(Names.sendRedirects(d), Names.proxyArp(d))));
    // IPv6 is turned off on the SNAT devices of HA routers (CentralSnat): read back where it can be set.
    links.stream().map(IpJson.Link::name).filter(d -> d.startsWith(Names.QG) || d.startsWith(Names.SG))
        .forEach(d -> keys.add(Names.disableIpv6(d)));
    List<String> sysctl = new ArrayList<>(OperationCompiler.netnsExec(ns, "sysctl"));
    keys.forEach(k -> sysctl.add(Args.sysctlKey(k)));
    // A device going away between the two reads makes sysctl fail for its keys; the rest is read.
    IpJson.sysctls(runner.exec(cmd(sysctl)).stdout()).forEach(b::sysctl);
    NatTable nat = NatRestore.parse(runner.run(cmd(OperationCompiler.netnsExec(ns, "iptables-save", "-t", "nat")))
        .stdout());
    return new Raw(ns, links, IpJson.addresses(new JsonArray(out.get(1))), b, IpJson.nsids(new JsonArray(out.get(5))),
        nat);
  }

  private static NamespaceState build(Raw r, Map<String, Raw> all, Map<String, String> plugged) {
    for (IpJson.Link l : r.links()) {
      SortedSet<IpPrefix> addrs = r.addresses().getOrDefault(l.name(), new TreeSet<>());
      String bridge = plugged.get(l.name());
      Device d;
      if ("loopback".equals(l.linkType())) {
        d = new Device(l.name(), DeviceKind.LOOPBACK, l.mac(), l.mtu(), addrs, "", "", "");
      } else if (bridge != null && (l.kind().equals("veth") || l.kind().equals("tun"))) {
        d = Device.internalPort(l.name(), bridge, l.mac(), l.mtu(), addrs);
      } else if (l.kind().equals("veth")) {
        String peerNs = l.peerNetnsId() < 0 ? r.name() : r.nsids().getOrDefault(l.peerNetnsId(), "");
        String peer = l.peerNetnsId() < 0 ? l.peerName() : peerName(all.get(peerNs), l.peerIndex());
        d = new Device(l.name(), DeviceKind.VETH, l.mac(), l.mtu(), addrs, "", peer, peer.isEmpty() ? "" : peerNs);
      } else {
        d = new Device(l.name(), DeviceKind.OTHER, l.mac(), l.mtu(), addrs, "", "", "");
      }
      r.builder().device(d);
    }
    return r.builder().build().withNat(r.nat());
  }

  private static String peerName(Raw peerNs, int ifindex) {
    if (peerNs == null) {
      return "";
    }
    return peerNs.links().stream().filter(l -> l.ifindex() == ifindex).map(IpJson.Link::name).findFirst().orElse("");
  }

  private Command cmd(String... argv) {
    return cmd(List.of(argv));
  }

  private Command cmd(List<String> argv) {
    return Command.of(argv).withTimeout(options.timeout());
  }
}
