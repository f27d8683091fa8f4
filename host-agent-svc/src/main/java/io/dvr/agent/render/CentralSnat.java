package io.dvr.agent.render;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.Comparator;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** The central SNAT part (reference 5): snat-&lt;router&gt; with qg- and one sg- per SNAT port. */
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

  static NamespaceState render(RouterInfo r) {
    RouterPortInfo gw = r.getGatewayPort();
    String qg = Names.qgDevice(gw.getPortId());
    IpPrefix gwAddress = Ports.address(gw);
    NamespaceState.Builder b = NamespaceState.builder(Names.snatNamespace(r.getRouterId()))
        .sysctl(Names.IP_FORWARD, "1")
        .device(Device.internalPort(qg, Names.BR_EX, gw.getMacAddress(), Ports.mtu(gw), List.of(gwAddress)))
        .route(Route.connected(gwAddress, qg));
    if (!gw.getGatewayIp().isEmpty()) {
      b.route(Route.via(Route.MAIN_TABLE, IpPrefix.ANY, gw.getGatewayIp(), qg));
    }
    // SNAT only subnets with an sg- port: traffic of the others cannot reach this namespace.
    SortedSet<IpPrefix> internal = new TreeSet<>();
    for (RouterPortInfo port : snatPorts(r)) {
      String sg = Names.sgDevice(port.getPortId());
      IpPrefix address = Ports.address(port);
      b.device(Device.internalPort(sg, Names.BR_INT, port.getMacAddress(), Ports.mtu(port), List.of(address)))
          .route(Route.connected(address, sg));
      internal.add(address.network());
    }
    b.chains(Names.OUR_CHAINS).nat(Names.CHAIN_POSTROUTING, Nat.acceptUnlessDnat(qg));
    internal.forEach(cidr -> b.nat(Names.CHAIN_SNAT, Nat.snat(cidr.toString(), gw.getIpAddress())));
    return b.nat(Names.CHAIN_POSTROUTING_BOTTOM, Nat.jump(Names.CHAIN_SNAT)).build();
  }
}
