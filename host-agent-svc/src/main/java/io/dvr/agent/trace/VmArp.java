package io.dvr.agent.trace;

import io.dvr.agent.model.IpPrefix;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.Optional;

/**
 * What the sending VM does before the first frame: picks its address on the way and asks ARP for
 * the destination (same subnet) or its gateway (any other). Answers come from the host view: the
 * host's ports, the routers' interfaces and ARP tables.
 */
final class VmArp {
  private VmArp() {}

  /** The VM's first frame, or why it sends none. */
  record Frame(Packet packet, String how, String failure) {}

  static Frame resolve(HostRouters view, HostPort vm, Packet p) {
    Optional<HostPortIp> own = vm.getFixedIpsList().stream()
        .filter(ip -> p.ipSrc().isEmpty() || ip.getIpAddress().equals(p.ipSrc())).findFirst();
    if (own.isEmpty()) {
      return new Frame(p, "", "port " + vm.getPortId() + " has no fixed IP " + p.ipSrc());
    }
    Packet out = p.withIpSrc(own.get().getIpAddress()).withEthSrc(vm.getMacAddress());
    Optional<RouterPortInfo> gateway = gatewayOf(view, own.get().getSubnetId());
    String cidr = !own.get().getCidr().isEmpty() ? own.get().getCidr() : gateway.map(RouterPortInfo::getCidr).orElse("");
    if (cidr.isEmpty()) {
      return new Frame(out, "", "the subnet of " + own.get().getIpAddress() + " is not known on this host");
    }
    IpPrefix subnet = IpPrefix.parse(cidr);
    if (subnet.contains(IpPrefix.toLong(p.ipDst()))) {
      Optional<String> mac = macOf(view, p.ipDst());
      return mac.map(m -> new Frame(out.withEthDst(m), "ARP " + p.ipDst() + " (same subnet) is at " + m, ""))
          .orElseGet(() -> new Frame(out, "", "the VM's ARP for " + p.ipDst() + " gets no answer: no port on "
              + subnet.network() + " has that address"));
    }
    return gateway.map(g -> new Frame(out.withEthDst(g.getMacAddress()),
            "ARP " + g.getIpAddress() + " (gateway of " + subnet.network() + ") is at " + g.getMacAddress().toLowerCase(),
            ""))
        .orElseGet(() -> new Frame(out, "", "subnet " + subnet.network() + " has no router interface on this host:"
            + " the VM has no gateway to " + p.ipDst()));
  }

  /** The MAC of a port with this address: the host's own ports, then the routers' ARP tables. */
  static Optional<String> macOf(HostRouters view, String ip) {
    for (HostPort port : view.getPortsList()) {
      if (port.getFixedIpsList().stream().anyMatch(f -> f.getIpAddress().equals(ip))) {
        return Optional.of(port.getMacAddress().toLowerCase());
      }
    }
    for (RouterInfo r : view.getRoutersList()) {
      for (ArpEntry e : r.getArpEntriesList()) {
        if (e.getIpAddress().equals(ip)) {
          return Optional.of(e.getMacAddress().toLowerCase());
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<RouterPortInfo> gatewayOf(HostRouters view, String subnetId) {
    return view.getRoutersList().stream().flatMap(r -> r.getInterfacesList().stream())
        .filter(i -> i.getSubnetId().equals(subnetId)).findFirst();
  }
}
