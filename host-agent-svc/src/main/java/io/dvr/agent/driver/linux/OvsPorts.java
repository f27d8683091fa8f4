package io.dvr.agent.driver.linux;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.OvsPort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The ports of one Open vSwitch, read with one {@code ovs-vsctl -f json} call over the Bridge,
 * Port and Interface tables. Our plugged devices are marked on their Interface with {@code
 * external_ids:dvr-ns} and {@code dvr-dev}; VM ports carry Neutron's {@code iface-id}; the tunnel
 * ports the agent made carry {@code dvr-peer}. {@link #bridges()} gives them as the model's port tables.
 */
record OvsPorts(List<Iface> interfaces) {
  static final String NS_KEY = "dvr-ns";
  static final String DEV_KEY = "dvr-dev";
  static final String IFACE_ID = "iface-id";
  /** On the tunnel ports the agent made: the peer host they lead to. */
  static final String PEER_KEY = "dvr-peer";

  private static final Set<String> TUNNEL_TYPES = Set.of("vxlan", "gre", "geneve", "stt");

  /** One interface with its port and bridge; {@code tag} is -1 when the port has none, ofport -1 when unset. */
  record Iface(String bridge, String port, int tag, String name, String type, int ofport, Map<String, String> externalIds,
      Map<String, String> options) {
    Iface {
      externalIds = Map.copyOf(externalIds);
      options = Map.copyOf(options);
    }

    /** This interface's port in the model: plugged device of ours, VM port, patch, tunnel, or other. */
    OvsPort toPort() {
      String ns = externalIds.get(NS_KEY);
      String dev = externalIds.get(DEV_KEY);
      if (ns != null && dev != null) {
        return new OvsPort(OvsPort.Kind.PLUGGED, port, tag, ofport, ns, dev, "", type, "", "", "");
      } else if (externalIds.containsKey(IFACE_ID)) {
        return new OvsPort(OvsPort.Kind.VM, port, tag, ofport, "", "", externalIds.get(IFACE_ID), type, "", "", "");
      } else if ("patch".equals(type)) {
        return new OvsPort(OvsPort.Kind.PATCH, port, tag, ofport, "", "", "", type, "", "", "");
      } else if (TUNNEL_TYPES.contains(type)) {
        return new OvsPort(OvsPort.Kind.TUNNEL, port, tag, ofport, "", "", "", type,
            options.getOrDefault("remote_ip", ""), options.getOrDefault("local_ip", ""),
            externalIds.getOrDefault(PEER_KEY, ""));
      }
      return new OvsPort(OvsPort.Kind.OTHER, port, tag, ofport, "", "", "", type, "", "", "");
    }
  }

  OvsPorts {
    interfaces = List.copyOf(interfaces);
  }

  static Command command() {
    return Command.of("ovs-vsctl", "-f", "json", "--", "--columns=name,ports", "list", "Bridge", "--",
        "--columns=_uuid,name,tag,interfaces", "list", "Port", "--",
        "--columns=_uuid,name,type,ofport,external_ids,options", "list", "Interface");
  }

  static OvsPorts read(CommandRunner runner) {
    return parse(runner.run(command()).stdout());
  }

  static OvsPorts parse(String stdout) {
    List<JsonObject> tables = stdout.lines().filter(l -> !l.isBlank()).map(JsonObject::new).toList();
    if (tables.size() != 3) {
      throw new IllegalStateException("ovs-vsctl printed " + tables.size() + " tables instead of 3");
    }
    return of(rows(tables.get(0)), rows(tables.get(1)), rows(tables.get(2)));
  }

  /** The three selects of {@link #read(OvsdbSession)}: the same tables and columns as {@link #command()}. */
  static JsonArray selects() {
    return new JsonArray().add(select("Bridge", BRIDGE_COLUMNS)).add(select("Port", PORT_COLUMNS))
        .add(select("Interface", INTERFACE_COLUMNS));
  }

  /** The ports read over a session with the host's ovsdb-server: one transaction, no process. */
  static OvsPorts read(OvsdbSession session) {
    return parse(session.transact(selects()));
  }

  /** From the results of {@link #selects()}. */
  static OvsPorts parse(JsonArray results) {
    return of(rows(results.getJsonObject(0), BRIDGE_COLUMNS), rows(results.getJsonObject(1), PORT_COLUMNS),
        rows(results.getJsonObject(2), INTERFACE_COLUMNS));
  }

  private static final List<String> BRIDGE_COLUMNS = List.of("name", "ports");
  private static final List<String> PORT_COLUMNS = List.of("_uuid", "name", "tag", "interfaces");
  private static final List<String> INTERFACE_COLUMNS = List.of("_uuid", "name", "type", "ofport", "external_ids", "options");

  private static JsonObject select(String table, List<String> columns) {
    return new JsonObject().put("op", "select").put("table", table).put("where", new JsonArray())
        .put("columns", new JsonArray(columns));
  }

  /** The rows of ovs-vsctl's JSON table: each a list of cells in the order of the columns asked for. */
  private static List<JsonArray> rows(JsonObject table) {
    return table.getJsonArray("data").stream().map(JsonArray.class::cast).toList();
  }

  /** The rows of a select's result (objects by column name) as ovs-vsctl prints them: cells in column order. */
  private static List<JsonArray> rows(JsonObject result, List<String> columns) {
    List<JsonArray> out = new ArrayList<>();
    for (Object row : result.getJsonArray("rows")) {
      JsonObject r = (JsonObject) row;
      JsonArray cells = new JsonArray();
      columns.forEach(c -> cells.add(r.getValue(c)));
      out.add(cells);
    }
    return out;
  }

  /** From the Bridge (name, ports), Port (_uuid, name, tag, interfaces) and Interface rows. */
  static OvsPorts of(List<JsonArray> bridges, List<JsonArray> ports, List<JsonArray> interfaces) {
    Map<String, String> bridgeOfPort = new HashMap<>();
    for (JsonArray r : bridges) {
      uuids(r.getValue(1)).forEach(u -> bridgeOfPort.put(u, r.getString(0)));
    }
    record Port(String uuid, String name, int tag) {}
    Map<String, Port> portOfIface = new HashMap<>();
    for (JsonArray r : ports) {
      Object tag = r.getValue(2);
      Port p = new Port(uuid(r.getValue(0)), r.getString(1), tag instanceof Number n ? n.intValue() : -1);
      uuids(r.getValue(3)).forEach(u -> portOfIface.put(u, p));
    }
    List<Iface> out = new ArrayList<>();
    for (JsonArray r : interfaces) {
      Port p = portOfIface.get(uuid(r.getValue(0)));
      Object ofport = r.getValue(3);
      out.add(new Iface(p == null ? "" : bridgeOfPort.getOrDefault(p.uuid(), ""), p == null ? "" : p.name(),
          p == null ? -1 : p.tag(), r.getString(1), r.getString(2), ofport instanceof Number n ? n.intValue() : -1,
          map(r.getValue(4)), r.size() > 5 ? map(r.getValue(5)) : Map.of()));
    }
    return new OvsPorts(out);
  }

  /** Every bridge's ports as the model keeps them (no flows). */
  SortedMap<String, BridgeState> bridges() {
    Map<String, List<OvsPort>> byBridge = new TreeMap<>();
    for (Iface i : interfaces) {
      if (!i.bridge().isEmpty() && !i.port().isEmpty()) {
        byBridge.computeIfAbsent(i.bridge(), k -> new ArrayList<>()).add(i.toPort());
      }
    }
    SortedMap<String, BridgeState> out = new TreeMap<>();
    byBridge.forEach((bridge, ports) -> out.put(bridge, BridgeState.of(bridge, List.of(), ports)));
    return out;
  }

  /** The bridge of each plugged device of ours, by namespace and device name. */
  Map<String, Map<String, String>> pluggedByNamespace() {
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (Iface i : interfaces) {
      String ns = i.externalIds().get(NS_KEY);
      String dev = i.externalIds().get(DEV_KEY);
      if (ns != null && dev != null && !i.bridge().isEmpty()) {
        out.computeIfAbsent(ns, k -> new TreeMap<>()).put(dev, i.bridge());
      }
    }
    return out;
  }

  /** OVS port names of our plugged devices in a namespace. */
  List<String> portsOfNamespace(String namespace) {
    return interfaces.stream().filter(i -> namespace.equals(i.externalIds().get(NS_KEY)) && !i.port().isEmpty())
        .map(Iface::port).distinct().toList();
  }

  private static String uuid(Object value) {
    return ((JsonArray) value).getString(1);
  }

  /** A column holding one uuid ({@code ["uuid", u]}) or a set of them ({@code ["set", [...]]}). */
  private static List<String> uuids(Object value) {
    JsonArray a = (JsonArray) value;
    if ("uuid".equals(a.getString(0))) {
      return List.of(a.getString(1));
    }
    List<String> out = new ArrayList<>();
    for (Object u : a.getJsonArray(1)) {
      out.add(uuid(u));
    }
    return out;
  }

  /** An OVSDB map cell ({@code ["map", [[k, v], ...]]}) as a map. */
  static Map<String, String> mapOf(JsonArray value) {
    return map(value);
  }

  private static Map<String, String> map(Object value) {
    Map<String, String> out = new TreeMap<>();
    for (Object pair : ((JsonArray) value).getJsonArray(1)) {
      JsonArray kv = (JsonArray) pair;
      out.put(kv.getString(0), kv.getString(1));
    }
    return out;
  }
}
