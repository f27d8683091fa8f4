package io.dvr.agent.driver.linux;

import io.dvr.agent.driver.listing.SysctlListing;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.model.Route;
import io.dvr.agent.render.Names;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The host's state as the tools print it, titled like the memory driver's sections ("qrouter-X:
 * ip rule"): {@code ip netns}, then for each of our namespaces ip addr, rule, route (main and each
 * other table in use), neigh, {@code iptables -t nat -S} and the sysctls the agent manages there, then the flows of each bridge.
 */
final class LinuxListings {
  private final CommandRunner runner;
  private final LinuxOptions options;

  LinuxListings(CommandRunner runner, LinuxOptions options) {
    this.runner = runner;
    this.options = options;
  }

  /** Every section, or (namespace not empty) the sections of that namespace. */
  Map<String, String> sections(String namespace, Function<String, NamespaceState> observed) {
    Map<String, String> out = new LinkedHashMap<>();
    String netns = run("ip", "netns", "list");
    if (namespace.isEmpty()) {
      out.put("ip netns", netns);
    }
    List<String> names = NamespaceFiles.live(runner, options.timeout());
    for (String ns : new TreeSet<>(names)) {
      if (!Names.isOurNamespace(ns) || (!namespace.isEmpty() && !namespace.equals(ns))) {
        continue;
      }
      out.put(ns + ": ip addr", run("ip", "-n", ns, "addr"));
      out.put(ns + ": ip rule", run("ip", "-n", ns, "rule"));
      out.put(ns + ": ip route", run("ip", "-n", ns, "route"));
      for (long table : tables(ns)) {
        out.put(ns + ": ip route list table " + table, run("ip", "-n", ns, "route", "list", "table", Long.toString(table)));
      }
      out.put(ns + ": ip neigh", run("ip", "-n", ns, "neigh"));
      out.put(ns + ": iptables -t nat -S", run(OperationCompiler.netnsExec(ns, "iptables", "-t", "nat", "-S")));
      out.put(ns + ": sysctl", SysctlListing.print(observed.apply(ns)));
    }
    if (namespace.isEmpty() && options.ovs()) {
      for (String bridge : options.bridges()) {
        out.put("ovs-ofctl dump-flows " + bridge, run("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "--no-names",
            "dump-flows", bridge));
      }
    }
    return out;
  }

  /** Tables other than main and local holding IPv4 routes. */
  private SortedSet<Long> tables(String ns) {
    SortedSet<Long> tables = new TreeSet<>();
    for (Object o : new JsonArray(run("ip", "-4", "-j", "-n", ns, "route", "show", "table", "all"))) {
      long t = IpJson.table(((JsonObject) o).getString("table", "main"));
      if (t != Route.MAIN_TABLE && t != Route.LOCAL_TABLE) {
        tables.add(t);
      }
    }
    return tables;
  }

  private String run(String... argv) {
    return run(List.of(argv));
  }

  private String run(List<String> argv) {
    return runner.run(Command.of(argv).withTimeout(options.timeout())).stdout();
  }
}
