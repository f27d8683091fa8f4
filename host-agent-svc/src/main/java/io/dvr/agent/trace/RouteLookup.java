package io.dvr.agent.trace;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import java.util.Optional;

/** The route one table gives a destination: the longest prefix that contains it. */
final class RouteLookup {
  private RouteLookup() {}

  static Optional<Route> find(NamespaceState ns, long table, String destination) {
    long dst = IpPrefix.toLong(destination);
    Route best = null;
    for (Route r : ns.routes()) {
      if (r.table() == table && r.destination().contains(dst)
          && (best == null || r.destination().length() > best.destination().length())) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }

  /** As {@code ip route} prints it: {@code default via 169.254.31.29 dev rfp-e8f12f7a-6}. */
  static String describe(Route r) {
    return r.destination().brief() + (r.via().isEmpty() ? "" : " via " + r.via()) + " dev " + r.dev()
        + (r.connected() ? " proto kernel scope link src " + r.src() : "");
  }

  /** {@code main}, {@code default} or the number. */
  static String tableName(long table) {
    if (table == Route.MAIN_TABLE) {
      return "main";
    }
    return table == Route.DEFAULT_TABLE ? "default" : Long.toString(table);
  }
}
