package io.dvr.agent;

import io.dvr.agent.model.Device;
import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.render.Names;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a namespace holds once a plan of small changes ran, worked out from the plan instead of
 * read back from the host: addresses, rules, routes, neighbours, sysctls and our nat chains are
 * keyed by the kernel as the operations key them, so an operation that succeeded left exactly
 * what it says. Anything else (devices made, deleted or changed, a nat table holding chains not
 * ours, a device the namespace does not hold) cannot be followed, and the namespace is read back.
 * Pure: no I/O.
 */
final class PlanEffects {
  private PlanEffects() {}

  /** Whether every operation of the plan is of a kind {@link #apply} can follow (flows excepted: the cache keeps them apart). */
  static boolean followable(List<Operation> ops) {
    for (Operation op : ops) {
      if (!(op instanceof Operation.AddFlows || op instanceof Operation.DeleteFlows
          || op instanceof Operation.AddAddress || op instanceof Operation.RemoveAddress
          || op instanceof Operation.AddRule || op instanceof Operation.RemoveRule
          || op instanceof Operation.ReplaceRoute || op instanceof Operation.RemoveRoute
          || op instanceof Operation.ReplaceNeighbour || op instanceof Operation.RemoveNeighbour
          || op instanceof Operation.SetSysctl || op instanceof Operation.ReplaceNat)) {
        return false;
      }
    }
    return true;
  }

  /** The namespace after the plan's operations on it, in plan order; empty when one cannot be followed. */
  static Optional<NamespaceState> apply(NamespaceState ns, List<Operation> ops) {
    Map<String, Device> devices = new TreeMap<>(ns.devices());
    Map<String, String> sysctls = new TreeMap<>(ns.sysctls());
    SortedSet<IpRule> rules = new TreeSet<>(ns.rules());
    Map<Route.Key, Route> routes = new java.util.HashMap<>();
    ns.routes().forEach(r -> routes.put(r.key(), r));
    SortedSet<Neighbour> neighbours = new TreeSet<>(ns.neighbours());
    var nat = ns.nat();
    for (Operation op : ops) {
      if (!op.namespace().equals(ns.name())) {
        continue;
      }
      if (op instanceof Operation.AddAddress a) {
        Device d = devices.get(a.device());
        if (d == null) {
          return Optional.empty();
        }
        SortedSet<IpPrefix> addrs = new TreeSet<>(d.addresses());
        addrs.add(a.address());
        devices.put(d.name(), d.withAddresses(addrs));
      } else if (op instanceof Operation.RemoveAddress a) {
        Device d = devices.get(a.device());
        if (d == null) {
          return Optional.empty();
        }
        SortedSet<IpPrefix> addrs = new TreeSet<>(d.addresses());
        addrs.remove(a.address());
        devices.put(d.name(), d.withAddresses(addrs));
      } else if (op instanceof Operation.AddRule r) {
        rules.add(r.rule());
      } else if (op instanceof Operation.RemoveRule r) {
        rules.remove(r.rule());
      } else if (op instanceof Operation.ReplaceRoute r) {
        routes.put(r.route().key(), r.route());
      } else if (op instanceof Operation.RemoveRoute r) {
        routes.remove(r.route().key());
      } else if (op instanceof Operation.ReplaceNeighbour n) {
        neighbours.removeIf(x -> x.key().equals(n.neighbour().key()));
        neighbours.add(n.neighbour());
      } else if (op instanceof Operation.RemoveNeighbour n) {
        neighbours.removeIf(x -> x.key().equals(n.neighbour().key()));
      } else if (op instanceof Operation.SetSysctl s) {
        sysctls.put(s.key(), s.value());
      } else if (op instanceof Operation.ReplaceNat n) {
        if (!nat.withoutOwned(Names::isOurChain).isEmpty()) {
          return Optional.empty(); // chains not ours: how the kernel orders them with ours is the kernel's to say
        }
        nat = n.ours();
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(new NamespaceState(ns.name(), new TreeMap<>(devices), new TreeMap<>(sysctls), rules,
        new TreeSet<>(routes.values()), neighbours, nat));
  }
}
