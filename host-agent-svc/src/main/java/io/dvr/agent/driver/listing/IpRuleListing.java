package io.dvr.agent.driver.listing;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import java.util.List;
import java.util.TreeSet;

/** {@code ip rule}: the kernel's three default rules and the namespace's rules, by priority. */
public final class IpRuleListing {
  private IpRuleListing() {}

  static final List<IpRule> DEFAULTS = List.of(new IpRule(0, IpPrefix.ANY, Route.LOCAL_TABLE),
      new IpRule(32766, IpPrefix.ANY, Route.MAIN_TABLE), new IpRule(32767, IpPrefix.ANY, Route.DEFAULT_TABLE));

  public static String print(NamespaceState ns) {
    TreeSet<IpRule> all = new TreeSet<>(DEFAULTS);
    all.addAll(ns.rules());
    return Lines.of(all.stream().map(r -> r.priority() + ":\tfrom " + from(r.from()) + " lookup " + table(r.table()))
        .toList());
  }

  private static String from(IpPrefix p) {
    return p.length() == 0 ? "all" : p.brief();
  }

  static String table(long table) {
    if (table == Route.LOCAL_TABLE) {
      return "local";
    }
    if (table == Route.MAIN_TABLE) {
      return "main";
    }
    return table == Route.DEFAULT_TABLE ? "default" : Long.toString(table);
  }
}
