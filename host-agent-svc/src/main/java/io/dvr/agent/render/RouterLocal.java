package io.dvr.agent.render;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The router-local part of qrouter- (reference 3, 5 metadata, 6): present on every host carrying the router. */
final class RouterLocal {
  private RouterLocal() {}

  static NamespaceState render(RouterInfo r) {
    String ns = Names.qrouterNamespace(r.getRouterId());
    NamespaceState.Builder b = NamespaceState.builder(ns).sysctl(Names.IP_FORWARD, "1");
    boolean hasGateway = Ports.present(r.getGatewayPort());
    if (hasGateway) {
      b.sysctl(Names.ALL_SEND_REDIRECTS, "0");
    }
    List<RouterPortInfo> interfaces = interfaces(r);
    for (RouterPortInfo port : interfaces) {
      String dev = Names.qrDevice(port.getPortId());
      IpPrefix address = Ports.address(port);
      b.device(Device.internalPort(dev, Names.BR_INT, port.getMacAddress(), Ports.mtu(port), List.of(address)))
          .route(Route.connected(address, dev))
          .sysctl(Names.sendRedirects(dev), "0");
      // SNAT redirection needs somewhere to send to: a gateway and this subnet's SNAT port.
      if (hasGateway && !port.getSnatIpAddress().isEmpty()) {
        long index = Names.subnetIndex(port.getIpAddress());
        b.rule(new IpRule(index, address, index))
            .route(Route.via(index, IpPrefix.ANY, port.getSnatIpAddress(), dev));
      }
    }
    for (ArpEntry entry : r.getArpEntriesList()) {
      neighbour(interfaces, entry).ifPresent(b::neighbour);
    }
    return b.chains(Names.OUR_CHAINS)
        .nat(Names.CHAIN_PREROUTING, Nat.metadataRedirect())
        .nat(Names.CHAIN_SNAT, Nat.jump(Names.CHAIN_FLOAT_SNAT))
        .nat(Names.CHAIN_POSTROUTING_BOTTOM, Nat.jump(Names.CHAIN_SNAT))
        .build();
  }

  static List<RouterPortInfo> interfaces(RouterInfo r) {
    return r.getInterfacesList().stream().filter(Ports::present)
        .sorted(Comparator.comparing(RouterPortInfo::getPortId)).toList();
  }

  /**
   * The permanent neighbour an ARP entry makes in qrouter- (reference 6): on the router's
   * interface of the entry's subnet, none for the interface's own address or without an interface.
   */
  static Optional<Neighbour> neighbour(List<RouterPortInfo> interfaces, ArpEntry entry) {
    return interfaceFor(interfaces, entry)
        .filter(port -> !port.getIpAddress().equals(entry.getIpAddress()))
        .map(port -> new Neighbour(entry.getIpAddress(), Names.qrDevice(port.getPortId()), entry.getMacAddress()));
  }

  /** The interface of the entry's subnet; by address when the entry names no known subnet. */
  private static Optional<RouterPortInfo> interfaceFor(List<RouterPortInfo> interfaces, ArpEntry entry) {
    if (!entry.getSubnetId().isEmpty()) {
      for (RouterPortInfo p : interfaces) {
        if (p.getSubnetId().equals(entry.getSubnetId())) {
          return Optional.of(p);
        }
      }
    }
    long ip = IpPrefix.toLong(entry.getIpAddress());
    return interfaces.stream().filter(p -> Ports.cidr(p).contains(ip)).findFirst();
  }

  /**
   * How qrouter-'s neighbours move when only the router's ARP table changed from {@code was}'s
   * to {@code now}'s: the neighbours of entries gone (unless an entry that stays makes the same
   * one) and of entries new. An ARP update keeps the table's order and changes a few entries, so
   * the tables' common head and tail are skipped first: what remains costs what changed.
   */
  static NeighbourChange arpTableChange(RouterInfo was, RouterInfo now) {
    List<ArpEntry> before = was.getArpEntriesList();
    List<ArpEntry> after = now.getArpEntriesList();
    int head = 0;
    int max = Math.min(before.size(), after.size());
    while (head < max && before.get(head).equals(after.get(head))) {
      head++;
    }
    int tail = 0;
    while (tail < max - head
        && before.get(before.size() - 1 - tail).equals(after.get(after.size() - 1 - tail))) {
      tail++;
    }
    Set<ArpEntry> removed = new HashSet<>(before.subList(head, before.size() - tail));
    Set<ArpEntry> inserted = new HashSet<>(after.subList(head, after.size() - tail));
    List<RouterPortInfo> interfaces = interfaces(now);
    Set<Neighbour> gone = new HashSet<>();
    Set<Neighbour> added = new HashSet<>();
    removed.stream().filter(e -> !inserted.contains(e)).forEach(e -> neighbour(interfaces, e).ifPresent(gone::add));
    inserted.stream().filter(e -> !removed.contains(e)).forEach(e -> neighbour(interfaces, e).ifPresent(added::add));
    if (!gone.isEmpty()) {
      Set<String> goneAddresses = new HashSet<>();
      gone.forEach(n -> goneAddresses.add(n.ip()));
      for (ArpEntry e : after) {
        if (goneAddresses.contains(e.getIpAddress())) {
          neighbour(interfaces, e).ifPresent(gone::remove);
        }
      }
    }
    return new NeighbourChange(Names.qrouterNamespace(now.getRouterId()), gone, added);
  }

  /** The router interface on a subnet: its MAC is the source MAC of routed frames there. */
  static Optional<RouterPortInfo> gatewayOf(RouterInfo r, String subnetId) {
    return interfaces(r).stream().filter(p -> p.getSubnetId().equals(subnetId)).findFirst();
  }
}
