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
import java.util.List;
import java.util.Optional;

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
    for (RouterPortInfo port : interfaces(r)) {
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
      interfaceFor(r, entry)
          .filter(port -> !port.getIpAddress().equals(entry.getIpAddress()))
          .ifPresent(port -> b.neighbour(
              new Neighbour(entry.getIpAddress(), Names.qrDevice(port.getPortId()), entry.getMacAddress())));
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

  /** The interface of the entry's subnet; by address when the entry names no known subnet. */
  static Optional<RouterPortInfo> interfaceFor(RouterInfo r, ArpEntry entry) {
    Optional<RouterPortInfo> bySubnet = interfaces(r).stream()
        .filter(p -> !entry.getSubnetId().isEmpty() && p.getSubnetId().equals(entry.getSubnetId())).findFirst();
    if (bySubnet.isPresent()) {
      return bySubnet;
    }
    long ip = IpPrefix.toLong(entry.getIpAddress());
    return interfaces(r).stream().filter(p -> Ports.cidr(p).contains(ip)).findFirst();
  }

  /** The router interface on a subnet: its MAC is the source MAC of routed frames there. */
  static Optional<RouterPortInfo> gatewayOf(RouterInfo r, String subnetId) {
    return interfaces(r).stream().filter(p -> p.getSubnetId().equals(subnetId)).findFirst();
  }
}
