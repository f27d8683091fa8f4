package io.dvr.agent.trace;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Policy routing as the kernel does it: the rules by priority, each whose selector holds the
 * source looks its table up, and a table without a route lets the next rule try. The kernel's own
 * rules (32766 main, 32767 default) count as if listed; the local table is the caller's.
 */
final class RuleLookup {
  private RuleLookup() {}

  /** The route found and the rule that found it. */
  record Found(IpRule rule, Route route) {}

  static Optional<Found> route(NamespaceState ns, String source, String destination, String place, List<Hop> hops) {
    long src = IpPrefix.toLong(source);
    for (IpRule rule : rules(ns)) {
      if (!rule.from().contains(src)) {
        continue;
      }
      String selector = rule.priority() + ": from " + (rule.from().length() == 0 ? "all" : rule.from().brief())
          + " lookup " + RouteLookup.tableName(rule.table());
      Optional<Route> route = RouteLookup.find(ns, rule.table(), destination);
      if (route.isPresent()) {
        hops.add(new Hop(place, "ip rule " + selector + ": " + RouteLookup.describe(route.get())));
        return Optional.of(new Found(rule, route.get()));
      }
      hops.add(new Hop(place, "ip rule " + selector + ": no route to " + destination));
    }
    return Optional.empty();
  }

  /** The namespace's rules with the kernel's main and default rules, by priority; never the local one. */
  static List<IpRule> rules(NamespaceState ns) {
    SortedSet<IpRule> all = new TreeSet<>(ns.rules());
    if (all.stream().noneMatch(r -> r.table() == Route.MAIN_TABLE)) {
      all.add(new IpRule(32766, IpPrefix.ANY, Route.MAIN_TABLE));
    }
    if (all.stream().noneMatch(r -> r.table() == Route.DEFAULT_TABLE)) {
      all.add(new IpRule(32767, IpPrefix.ANY, Route.DEFAULT_TABLE));
    }
    List<IpRule> out = new ArrayList<>(all);
    out.removeIf(r -> r.table() == Route.LOCAL_TABLE);
    return out;
  }
}
