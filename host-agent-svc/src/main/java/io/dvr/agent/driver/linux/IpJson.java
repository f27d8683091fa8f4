package io.dvr.agent.driver.linux;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Parsers of {@code ip -j} output (iproute2 6.1) into the model. IPv4 only; kernel-made local and
 * broadcast routes, the three default rules and rules with selectors the model cannot hold are
 * left out, so they are neither compared nor removed.
 */
final class IpJson {
  private IpJson() {}

  private static final Set<IpRule> DEFAULT_RULES = Set.of(new IpRule(0, IpPrefix.ANY, Route.LOCAL_TABLE),
      new IpRule(32766, IpPrefix.ANY, Route.MAIN_TABLE), new IpRule(32767, IpPrefix.ANY, Route.DEFAULT_TABLE));
  private static final Set<String> RULE_KEYS = Set.of("priority", "src", "srclen", "table", "protocol", "flags");

  /** One device as {@code ip -d -j link} shows it; the peer of a veth by name or by ifindex and nsid. */
  record Link(int ifindex, String name, String kind, String linkType, String mac, int mtu, String peerName,
      int peerIndex, int peerNetnsId) {}

  /** {@code ip -j netns list}: the names (an empty output means none). */
  static List<String> namespaces(String stdout) {
    List<String> out = new ArrayList<>();
    if (!stdout.isBlank()) {
      new JsonArray(stdout.strip()).forEach(o -> out.add(((JsonObject) o).getString("name")));
    }
    return out;
  }

  static List<Link> links(JsonArray a) {
    List<Link> out = new ArrayList<>();
    for (Object o : a) {
      JsonObject j = (JsonObject) o;
      JsonObject info = j.getJsonObject("linkinfo");
      out.add(new Link(j.getInteger("ifindex"), j.getString("ifname"), info == null ? "" : info.getString("info_kind", ""),
          j.getString("link_type", ""), j.getString("address", ""), j.getInteger("mtu", 0), j.getString("link", ""),
          j.getInteger("link_index", -1), j.getInteger("link_netnsid", -1)));
    }
    return out;
  }

  /** IPv4 addresses by device from {@code ip -4 -j addr}. */
  static Map<String, SortedSet<IpPrefix>> addresses(JsonArray a) {
    Map<String, SortedSet<IpPrefix>> out = new HashMap<>();
    for (Object o : a) {
      JsonObject j = (JsonObject) o;
      SortedSet<IpPrefix> set = out.computeIfAbsent(j.getString("ifname"), k -> new TreeSet<>());
      JsonArray infos = j.getJsonArray("addr_info", new JsonArray());
      for (Object i : infos) {
        JsonObject info = (JsonObject) i;
        if ("inet".equals(info.getString("family"))) {
          set.add(IpPrefix.of(info.getString("local"), info.getInteger("prefixlen")));
        }
      }
    }
    return out;
  }

  static List<IpRule> rules(JsonArray a) {
    List<IpRule> out = new ArrayList<>();
    for (Object o : a) {
      JsonObject j = (JsonObject) o;
      if (!RULE_KEYS.containsAll(j.fieldNames()) || !j.containsKey("table")) {
        continue; // iif, fwmark, to, action types...: not a rule the model can hold
      }
      String src = j.getString("src", "all");
      IpPrefix from = src.equals("all") ? IpPrefix.ANY : IpPrefix.of(src, j.getInteger("srclen", 32));
      IpRule r = new IpRule(j.getLong("priority", 0L), from, table(j.getString("table")));
      if (!DEFAULT_RULES.contains(r)) {
        out.add(r);
      }
    }
    return out;
  }

  static List<Route> routes(JsonArray a) {
    List<Route> out = new ArrayList<>();
    for (Object o : a) {
      JsonObject j = (JsonObject) o;
      String dst = j.getString("dst", "");
      if (!j.getString("type", "unicast").equals("unicast") || dst.contains(":") || dst.isEmpty()) {
        continue;
      }
      boolean kernel = "kernel".equals(j.getString("protocol")) && !j.containsKey("gateway");
      out.add(new Route(table(j.getString("table", "main")), IpPrefix.parse(dst), j.getString("gateway", ""),
          j.getString("dev", ""), j.getString("prefsrc", ""), kernel));
    }
    return out;
  }

  /** The permanent IPv4 neighbours (dynamic entries are the kernel's, not ours). */
  static List<Neighbour> neighbours(JsonArray a) {
    List<Neighbour> out = new ArrayList<>();
    for (Object o : a) {
      JsonObject j = (JsonObject) o;
      JsonArray state = j.getJsonArray("state", new JsonArray());
      if (state.contains("PERMANENT") && j.containsKey("lladdr") && !j.getString("dst", ":").contains(":")) {
        out.add(new Neighbour(j.getString("dst"), j.getString("dev"), j.getString("lladdr")));
      }
    }
    return out;
  }

  /** {@code ip -j netns list-id}: the names of the namespaces this one knows by nsid. */
  static Map<Integer, String> nsids(JsonArray a) {
    Map<Integer, String> out = new HashMap<>();
    for (Object o : a) {
      JsonObject j = (JsonObject) o;
      if (j.containsKey("name")) {
        out.put(j.getInteger("nsid"), j.getString("name"));
      }
    }
    return out;
  }

  static long table(String name) {
    return switch (name) {
      case "main" -> Route.MAIN_TABLE;
      case "local" -> Route.LOCAL_TABLE;
      case "default" -> Route.DEFAULT_TABLE;
      default -> Long.parseLong(name);
    };
  }

  /** {@code sysctl k1 k2 ...}: {@code key = value} lines. */
  static Map<String, String> sysctls(String stdout) {
    Map<String, String> out = new HashMap<>();
    for (String line : stdout.split("\n")) {
      int eq = line.indexOf(" = ");
      if (eq > 0) {
        out.put(line.substring(0, eq).strip(), line.substring(eq + 3).strip());
      }
    }
    return out;
  }
}
