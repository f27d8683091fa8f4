package io.dvr.agent.render;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import io.dvr.proto.v1.FloatingIpInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The floating IP part (reference 4): rfp- with table 16, rules and DNAT/SNAT in qrouter-, and
 * the router's share of fip-&lt;external network&gt; (fg-, fpr-, a route per FIP).
 */
final class FloatingIps {
  private FloatingIps() {}

  /** FIPs of this host's VM ports, by floating address. */
  static List<FloatingIpInfo> active(RouterInfo r) {
    return r.getFloatingIpsList().stream()
        .filter(f -> !f.getFloatingIpAddress().isEmpty() && !f.getFixedIpAddress().isEmpty())
        .sorted(Comparator.comparingLong((FloatingIpInfo f) -> IpPrefix.toLong(f.getFloatingIpAddress()))
            .thenComparing(FloatingIpInfo::getFixedIpAddress))
        .toList();
  }

  /** FIPs are rendered once the host's FIP agent gateway port exists (fip- cannot work without fg-). */
  static boolean isHere(RouterInfo r) {
    return Ports.present(r.getFipAgentGateway()) && !active(r).isEmpty();
  }

  static List<NamespaceState> render(RouterInfo r, HostFacts facts) {
    if (!isHere(r)) {
      return List.of();
    }
    String routerId = r.getRouterId();
    List<FloatingIpInfo> fips = active(r);
    Names.LinkLocalPair pair = Names.linkLocalPair(facts.linkLocalPairs().require(routerId, "link-local pair"));
    String qrouterNs = Names.qrouterNamespace(routerId);
    String fipNs = Names.fipNamespace(externalNetwork(r, fips));
    String rfp = Names.rfpDevice(routerId);
    String fpr = Names.fprDevice(routerId);
    return List.of(qrouterPart(r, facts, fips, pair, qrouterNs, fipNs, rfp, fpr),
        fipPart(r.getFipAgentGateway(), fips, pair, qrouterNs, fipNs, rfp, fpr));
  }

  private static NamespaceState qrouterPart(RouterInfo r, HostFacts facts, List<FloatingIpInfo> fips,
      Names.LinkLocalPair pair, String qrouterNs, String fipNs, String rfp, String fpr) {
    List<IpPrefix> addresses = new ArrayList<>(List.of(pair.rfp()));
    fips.forEach(f -> addresses.add(IpPrefix.host(f.getFloatingIpAddress())));
    NamespaceState.Builder b = NamespaceState.builder(qrouterNs)
        .device(Device.veth(rfp, fipNs, fpr, Names.DEFAULT_MTU, addresses))
        .sysctl(Names.proxyArp(rfp), "0")
        .route(Route.connected(pair.rfp(), rfp))
        .route(Route.via(Names.FIP_TABLE, IpPrefix.ANY, pair.fpr().ip(), rfp))
        .chains(Names.OUR_CHAINS)
        .nat(Names.CHAIN_POSTROUTING, Nat.acceptUnlessDnat(rfp));
    for (FloatingIpInfo f : fips) {
      String fixed = f.getFixedIpAddress();
      String floating = f.getFloatingIpAddress();
      int priority = facts.fipPriorities().require(Names.fipRuleKey(r.getRouterId(), fixed), "FIP rule priority");
      b.rule(new IpRule(priority, IpPrefix.host(fixed), Names.FIP_TABLE))
          .nat(Names.CHAIN_PREROUTING, Nat.dnat(floating, fixed))
          .nat(Names.CHAIN_OUTPUT, Nat.dnat(floating, fixed))
          .nat(Names.CHAIN_FLOAT_SNAT, Nat.floatSnat(fixed, floating));
    }
    return b.build();
  }

  private static NamespaceState fipPart(RouterPortInfo fg, List<FloatingIpInfo> fips, Names.LinkLocalPair pair,
      String qrouterNs, String fipNs, String rfp, String fpr) {
    String fgDev = Names.fgDevice(fg.getPortId());
    IpPrefix fgAddress = Ports.address(fg);
    NamespaceState.Builder b = NamespaceState.builder(fipNs)
        .sysctl(Names.IP_FORWARD, "1")
        .sysctl(Names.IP_NONLOCAL_BIND, "1")
        .sysctl(Names.proxyArp(fgDev), "1")
        .device(Device.internalPort(fgDev, Names.BR_EX, fg.getMacAddress(), Ports.mtu(fg), List.of(fgAddress)))
        .route(Route.connected(fgAddress, fgDev))
        .device(Device.veth(fpr, qrouterNs, rfp, Names.DEFAULT_MTU, List.of(pair.fpr())))
        .route(Route.connected(pair.fpr(), fpr));
    if (!fg.getGatewayIp().isEmpty()) {
      b.route(Route.via(Route.MAIN_TABLE, IpPrefix.ANY, fg.getGatewayIp(), fgDev));
    }
    fips.forEach(f -> b.route(Route.via(Route.MAIN_TABLE, IpPrefix.host(f.getFloatingIpAddress()), pair.rfp().ip(), fpr)));
    return b.build();
  }

  private static String externalNetwork(RouterInfo r, List<FloatingIpInfo> fips) {
    if (!r.getFipAgentGateway().getNetworkId().isEmpty()) {
      return r.getFipAgentGateway().getNetworkId();
    }
    String fromFip = fips.get(0).getFloatingNetworkId();
    if (!fromFip.isEmpty()) {
      return fromFip;
    }
    if (!r.getGatewayPort().getNetworkId().isEmpty()) {
      return r.getGatewayPort().getNetworkId();
    }
    throw new IllegalArgumentException("router " + r.getRouterId() + ": no external network for its floating IPs");
  }
}
