package io.dvr.agent.render;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.dvr.proto.v1.ArpEntry;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The central SNAT part (reference 5): snat-&lt;router&gt; with qg- and one sg- per SNAT port.
 *
 * <p>An HA router (RouterInfo.ha) is programmed the same on each of its SNAT hosts, with one
 * difference by role: the ACTIVE host holds the qg- and sg- addresses (and so their connected and
 * default routes, and answers ARP for them); a STANDBY host plugs the same devices, sets the same
 * sysctls and NAT rules but claims no address, so nothing on either network reaches it. Promotion
 * is then only adding addresses and the default route. An HA router's snat- also holds the
 * router's ARP table as permanent neighbours on its sg- devices. IPv6 is off on those devices on every host:
 * a standby's link-local traffic (MLD reports, DAD) would carry the shared MACs and teach the
 * other hosts' bridges the wrong host for them.
 */
public final class CentralSnat {
  private CentralSnat() {}

  /** Whether this host holds the router's central SNAT (and plugs its sg- ports): a dvr_snat host chosen for it. */
  public static boolean isHere(RouterInfo r, HostFacts facts) {
    return facts.isDvrSnat() && r.getSnatHere() && Ports.present(r.getGatewayPort());
  }

  public static List<RouterPortInfo> snatPorts(RouterInfo r) {
    return r.getSnatPortsList().stream().filter(Ports::present)
        .sorted(Comparator.comparing(RouterPortInfo::getPortId)).toList();
  }

  /**
   * Whether this host holds the router's SNAT addresses: always for a router that is not HA; for an
   * HA router only in the ACTIVE role (an unspecified role is taken as STANDBY: claiming an address
   * by mistake could answer beside the active host).
   */
  public static boolean claimsAddresses(RouterInfo r) {
    return !r.getHa() || r.getHaState() == HaState.HA_STATE_ACTIVE;
  }

  static NamespaceState render(RouterInfo r) {
    boolean claims = claimsAddresses(r);
    RouterPortInfo gw = r.getGatewayPort();
    String qg = Names.qgDevice(gw.getPortId());
    IpPrefix gwAddress = Ports.address(gw);
    NamespaceState.Builder b = NamespaceState.builder(Names.snatNamespace(r.getRouterId()))
        .sysctl(Names.IP_FORWARD, "1")
        .device(Device.internalPort(qg, Names.BR_EX, gw.getMacAddress(), Ports.mtu(gw),
            claims ? List.of(gwAddress) : List.of()));
    noIpv6(r, b, qg);
    if (claims) {
      b.route(Route.connected(gwAddress, qg));
      if (!gw.getGatewayIp().isEmpty()) {
        b.route(Route.via(Route.MAIN_TABLE, IpPrefix.ANY, gw.getGatewayIp(), qg));
      }
    }
    // SNAT only subnets with an sg- port: traffic of the others cannot reach this namespace.
    SortedSet<IpPrefix> internal = new TreeSet<>();
    for (RouterPortInfo port : snatPorts(r)) {
      String sg = Names.sgDevice(port.getPortId());
      IpPrefix address = Ports.address(port);
      b.device(Device.internalPort(sg, Names.BR_INT, port.getMacAddress(), Ports.mtu(port),
          claims ? List.of(address) : List.of()));
      noIpv6(r, b, sg);
      if (claims) {
        b.route(Route.connected(address, sg));
      }
      internal.add(address.network());
    }
    if (r.getHa()) {
      List<RouterPortInfo> sgPorts = snatPorts(r);
      for (ArpEntry entry : r.getArpEntriesList()) {
        sgNeighbour(sgPorts, entry).ifPresent(b::neighbour);
      }
    }
    b.chains(Names.OUR_CHAINS).nat(Names.CHAIN_POSTROUTING, Nat.acceptUnlessDnat(qg));
    internal.forEach(cidr -> b.nat(Names.CHAIN_SNAT, Nat.snat(cidr.toString(), gw.getIpAddress())));
    return b.nat(Names.CHAIN_POSTROUTING_BOTTOM, Nat.jump(Names.CHAIN_SNAT)).build();
  }

  /**
   * The permanent neighbour an ARP entry makes in an HA router's snat- (on the sg- device of the
   * entry's subnet): a host that becomes active replies to the VMs at once, without asking their
   * MACs first, and its ARP requests cannot be answered to a host that is handing over.
   */
  static Optional<Neighbour> sgNeighbour(List<RouterPortInfo> sgPorts, ArpEntry entry) {
    return sgPorts.stream().filter(p -> p.getSubnetId().equals(entry.getSubnetId())
            && !p.getIpAddress().equals(entry.getIpAddress()))
        .findFirst().map(p -> new Neighbour(entry.getIpAddress(), Names.sgDevice(p.getPortId()), entry.getMacAddress()));
  }

  private static void noIpv6(RouterInfo r, NamespaceState.Builder b, String device) {
    if (r.getHa()) {
      b.sysctl(Names.disableIpv6(device), "1");
    }
  }
}
