package io.dvr.agent.trace;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.DeviceKind;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.dvr.agent.render.Names;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A packet entering one namespace on one device, as the kernel handles it: nat PREROUTING, local
 * delivery, {@code ip_forward}, policy routing, nat POSTROUTING, then the neighbour of the next hop
 * on the way out. Returns where the packet leaves (a device, with its next hop's MAC) or how it ended.
 */
final class NamespaceWalk {
  private NamespaceWalk() {}

  /** What the namespace did with the packet. */
  sealed interface Result {}

  /** Leaves by {@code device}; {@code packet} carries the device's MAC as source and the next hop's as destination. */
  record Leaves(NamespaceState ns, Device device, Packet packet, boolean dnatDone) implements Result {}

  record Ends(Outcome outcome) implements Result {}

  /**
   * @param knownMac the MAC a port answering ARP for an address has (the ports the host view knows),
   *     for next hops without a permanent neighbour outside qrouter-
   */
  static Result enter(NamespaceState ns, String dev, Packet arriving, boolean dnatBefore, List<Hop> hops,
      Function<String, Optional<String>> knownMac) {
    String place = ns.name();
    hops.add(new Hop(place, "in on " + dev + ": " + arriving.l3()));
    NatLookup.Verdict pre = NatLookup.walk(ns.nat(), "PREROUTING", arriving,
        new NatLookup.Context(dev, "", dnatBefore), place, hops);
    Packet p = pre.packet();
    boolean dnat = dnatBefore || "DNAT".equals(pre.target());
    if (pre.redirected()) {
      return new Ends(new Outcome.Delivered("a local port of " + place + " (REDIRECT: the metadata proxy)"));
    }
    Optional<Device> owner = ownerOf(ns, p.ipDst());
    if (owner.isPresent()) {
      return local(ns, owner.get(), p, dnat);
    }
    String forward = ns.sysctls().get(Names.IP_FORWARD);
    if (!"1".equals(forward)) {
      return new Ends(new Outcome.Dropped(place + ": " + Names.IP_FORWARD + " = " + (forward == null ? "(unset)" : forward)
          + ", so the namespace does not route " + p.l3()));
    }
    Optional<RuleLookup.Found> found = RuleLookup.route(ns, p.ipSrc(), p.ipDst(), place, hops);
    if (found.isEmpty()) {
      return new Ends(new Outcome.Dropped(place + ": no ip rule finds a route to " + p.ipDst() + " from " + p.ipSrc()));
    }
    Route route = found.get().route();
    Device out = ns.devices().get(route.dev());
    if (out == null) {
      return new Ends(new Outcome.Dropped(place + ": the route " + RouteLookup.describe(route)
          + " names device " + route.dev() + ", which the namespace does not have"));
    }
    NatLookup.Verdict post = NatLookup.walk(ns.nat(), "POSTROUTING", p, new NatLookup.Context(dev, out.name(), dnat),
        place, hops);
    p = post.packet();
    String nextHop = route.via().isEmpty() ? p.ipDst() : route.via();
    if (out.kind() == DeviceKind.VETH) {
      hops.add(new Hop(place, "out " + out.name() + " (veth to " + out.peer() + " in " + out.peerNamespace() + ")"));
      return new Leaves(ns, out, p, dnat);
    }
    return neighbour(ns, out, nextHop, p, dnat, hops, knownMac);
  }

  /** Addressed to the namespace itself: delivered, unless it is a floating IP nothing translated. */
  private static Result local(NamespaceState ns, Device owner, Packet p, boolean dnat) {
    if (!dnat && owner.name().startsWith(Names.RFP)) {
      return new Ends(new Outcome.Dropped(ns.name() + ": " + p.ipDst() + " is a floating IP on " + owner.name()
          + " but no DNAT rule in the nat PREROUTING chain translates it to a fixed IP (missing: -A "
          + Names.CHAIN_PREROUTING + " -d " + p.ipDst() + "/32 -j DNAT --to-destination <fixed IP>)"));
    }
    return new Ends(new Outcome.Delivered(ns.name() + " itself (" + p.ipDst() + " on " + owner.name() + ")"));
  }

  /**
   * The next hop's MAC. In qrouter- it must be a permanent entry: an ARP request for a port on
   * another host is answered to that host's copy of the router, never to this one. Elsewhere the
   * kernel asks ARP: on br-ex the external network answers; on br-int a port the view knows.
   */
  private static Result neighbour(NamespaceState ns, Device out, String nextHop, Packet p, boolean dnat, List<Hop> hops,
      Function<String, Optional<String>> knownMac) {
    String place = ns.name();
    Optional<Neighbour> permanent = ns.neighbours().stream()
        .filter(n -> n.ip().equals(nextHop) && n.dev().equals(out.name())).findFirst();
    if (permanent.isPresent()) {
      hops.add(new Hop(place, "neighbour " + nextHop + " dev " + out.name() + " lladdr " + permanent.get().mac()
          + " PERMANENT"));
      return new Leaves(ns, out, p.withEthSrc(out.mac()).withEthDst(permanent.get().mac()), dnat);
    }
    if (ns.name().startsWith(Names.QROUTER) && out.name().startsWith(Names.QR)) {
      return new Ends(new Outcome.Dropped(place + ": no permanent neighbour for " + nextHop + " on " + out.name()
          + " (missing: " + nextHop + " dev " + out.name() + " lladdr <port MAC> PERMANENT): ARP from a distributed"
          + " router is answered to the router's copy on the port's own host"));
    }
    if (Names.BR_EX.equals(out.bridge())) {
      return external(ns, out, nextHop, p, hops);
    }
    Optional<String> mac = knownMac.apply(nextHop);
    if (mac.isEmpty()) {
      return new Ends(new Outcome.Dropped(place + ": no neighbour for " + nextHop + " on " + out.name()
          + " and no port with that address answers ARP"));
    }
    hops.add(new Hop(place, "neighbour " + nextHop + " dev " + out.name() + " lladdr " + mac.get() + " (by ARP)"));
    return new Leaves(ns, out, p.withEthSrc(out.mac()).withEthDst(mac.get()), dnat);
  }

  /**
   * Out to the external network: delivered when replies can come back, that is when the source is
   * an address of the external subnet (the namespace's, or a floating IP someone proxies for).
   */
  private static Result external(NamespaceState ns, Device out, String nextHop, Packet p, List<Hop> hops) {
    long src = IpPrefix.toLong(p.ipSrc());
    boolean onSubnet = out.addresses().stream().anyMatch(a -> a.contains(src));
    if (!onSubnet) {
      String subnets = out.addresses().stream().map(a -> a.network().toString()).toList().toString();
      return new Ends(new Outcome.Dropped(ns.name() + ": leaves " + out.name() + " with source " + p.ipSrc()
          + ", outside the external network " + subnets + ": no SNAT rule in the nat POSTROUTING chain translated it,"
          + " so no reply can come back"));
    }
    hops.add(new Hop(ns.name(), "out " + out.name() + " (br-ex) to " + nextHop + " by ARP on the external network"));
    return new Ends(new Outcome.Delivered("the external network: " + p.l3() + " via " + nextHop + " from "
        + out.name() + " on " + ns.name()));
  }

  /** The device holding the address in the namespace, if any. */
  static Optional<Device> ownerOf(NamespaceState ns, String ip) {
    long value = IpPrefix.toLong(ip);
    return ns.devices().values().stream()
        .filter(d -> d.addresses().stream().anyMatch(a -> a.address() == value)).findFirst();
  }
}
