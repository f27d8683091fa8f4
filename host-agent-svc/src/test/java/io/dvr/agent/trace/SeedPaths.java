package io.dvr.agent.trace;

import static io.dvr.agent.fixtures.SeedTopology.*;

import io.dvr.agent.model.HostState;
import io.dvr.agent.render.HostFacts;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/** The seed's three hosts as the tracer sees them, and a path followed host to host as dvrctl does. */
final class SeedPaths {
  /** A VM on 81.1.180.0/24 next to VM1 on compute1 (its address and MAC are the seed ARP table's). */
  static final String VM10 = "aa000010-0000-4000-8000-000000000010";
  static final LocalPortInfo LOCAL_VM10 = local(VM10, "fa:16:3e:c0:8f:2c", NET_A, SUBNET_81, "81.1.180.10");

  private final Map<String, TracedHost> hosts = new TreeMap<>();

  private SeedPaths() {}

  /** network, compute2, and compute1 with VM1, VM3 and VM10, with or without VM1's floating IP 192.168.1.116. */
  static SeedPaths seed(boolean floatingIp) {
    SeedPaths s = new SeedPaths();
    s.hosts.put("network", TracedHost.rendered(network(), networkFacts()));
    s.hosts.put("compute2", TracedHost.rendered(compute2(), compute2Facts()));
    HostRouters c1 = floatingIp ? compute1(List.of(FIP_116), FG_COMPUTE1_117, LOCAL_VM1, LOCAL_VM3, LOCAL_VM10)
        : compute1(List.of(), null, LOCAL_VM1, LOCAL_VM3, LOCAL_VM10);
    HostFacts facts = compute1Facts(c1).withPortOfport(VM10, 9);
    s.hosts.put("compute1", TracedHost.rendered(c1, facts));
    return s;
  }

  /** The same hosts with one host's state changed (a neighbour or a rule gone). */
  SeedPaths changed(String host, UnaryOperator<HostState> change) {
    SeedPaths s = new SeedPaths();
    s.hosts.putAll(hosts);
    TracedHost h = hosts.get(host);
    s.hosts.put(host, new TracedHost(h.host(), change.apply(h.state()), h.ports(), h.view()));
    return s;
  }

  HostState state(String host) {
    return hosts.get(host).state();
  }

  /** Every leg from the first host on, following each copy that leaves by a tunnel. */
  List<Leg> follow(String host, Ingress ingress, Packet packet) {
    record Next(String host, Ingress ingress, Packet packet) {}
    Deque<Next> todo = new ArrayDeque<>(List.of(new Next(host, ingress, packet)));
    List<Leg> legs = new ArrayList<>();
    while (!todo.isEmpty() && legs.size() < 16) {
      Next n = todo.removeFirst();
      Leg leg = hosts.get(n.host()).trace(n.ingress(), n.packet());
      legs.add(leg);
      for (Outcome o : leg.outcomes()) {
        if (o instanceof Outcome.Handoff h) {
          todo.add(new Next(h.host(), new Ingress.FromTunnel(leg.host()), h.packet()));
        }
      }
    }
    return legs;
  }

  /** From outside: every host is offered the packet, as dvrctl does. */
  List<Leg> fromOutside(Packet packet) {
    List<Leg> legs = new ArrayList<>();
    for (String host : hosts.keySet()) {
      legs.addAll(follow(host, new Ingress.FromExternal(), packet));
    }
    return legs;
  }

  static Leg leg(List<Leg> legs, String host) {
    return legs.stream().filter(l -> l.host().equals(host)).findFirst().orElseThrow();
  }

  /** One line per hop ("br-tun table 1: priority 1 ..."), then the outcomes. */
  static List<String> lines(Leg leg) {
    List<String> out = new ArrayList<>();
    leg.hops().forEach(h -> out.add(h.toString()));
    leg.outcomes().forEach(o -> out.add(o.toString()));
    return out;
  }

  static String text(List<Leg> legs) {
    StringBuilder b = new StringBuilder();
    for (Leg l : legs) {
      b.append("== ").append(l.host()).append('\n');
      lines(l).forEach(x -> b.append("  ").append(x).append('\n'));
    }
    return b.toString();
  }
}
