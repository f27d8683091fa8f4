package io.dvr.cli;

import com.google.protobuf.Timestamp;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.ExternalGatewayInfo;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.HaState;
import io.dvr.proto.v1.RouterHost;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.Subnet;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How resources look in tables: the fields of {@code *-show} and the columns of {@code *-list},
 * named and formatted as the {@code neutron} client does (True/False, {@code :-)} for alive,
 * fixed IPs and pools as one JSON object per line).
 */
final class Views {

  private Views() {}

  static Map<String, String> network(Network n) {
    Map<String, String> f = new TreeMap<>();
    project(f, n.getProjectId());
    f.put("admin_state_up", bool(n.getAdminStateUp()));
    f.put("id", n.getId());
    f.put("name", n.getName());
    if (n.getMtu() != 0) {
      f.put("mtu", Integer.toString(n.getMtu()));
    }
    f.put("router:external", bool(n.getRouterExternal()));
    f.put("status", status(n.getStatus(), n.getStatusText()));
    f.put("subnets", String.join("\n", n.getSubnetIdsList()));
    if (n.getSegmentationId() != 0) {
      f.put("provider:segmentation_id", Integer.toUnsignedString(n.getSegmentationId()));
    }
    audit(f, n.getRevision(), n.hasCreatedAt(), n.getCreatedAt(), n.hasUpdatedAt(), n.getUpdatedAt());
    return f;
  }

  /** {@code cidrs} maps subnet ids to CIDRs; a subnet missing from it shows its id alone. */
  static Table networks(List<Network> networks, Map<String, String> cidrs) {
    Table t = new Table("id", "name", "subnets");
    for (Network n : networks) {
      String subnets = n.getSubnetIdsList().stream()
          .map(id -> cidrs.containsKey(id) ? id + " " + cidrs.get(id) : id)
          .collect(Collectors.joining("\n"));
      t.row(n.getId(), n.getName(), subnets);
    }
    return t;
  }

  static Map<String, String> subnet(Subnet s) {
    Map<String, String> f = new TreeMap<>();
    project(f, s.getProjectId());
    f.put("allocation_pools", pools(s.getAllocationPoolsList()));
    f.put("cidr", s.getCidr());
    f.put("gateway_ip", s.getGatewayIp());
    f.put("id", s.getId());
    f.put("ip_version", Integer.toString(s.getIpVersion()));
    f.put("name", s.getName());
    f.put("network_id", s.getNetworkId());
    audit(f, s.getRevision(), s.hasCreatedAt(), s.getCreatedAt(), s.hasUpdatedAt(), s.getUpdatedAt());
    return f;
  }

  static Table subnets(List<Subnet> subnets) {
    Table t = new Table("id", "name", "cidr", "allocation_pools");
    subnets.forEach(s -> t.row(s.getId(), s.getName(), s.getCidr(), pools(s.getAllocationPoolsList())));
    return t;
  }

  static Map<String, String> router(Router r) {
    Map<String, String> f = new TreeMap<>();
    project(f, r.getProjectId());
    f.put("admin_state_up", bool(r.getAdminStateUp()));
    f.put("distributed", bool(r.getDistributed()));
    f.put("ha", bool(r.getHa()));
    f.put("external_gateway_info", r.hasExternalGatewayInfo() ? gateway(r.getExternalGatewayInfo()) : "");
    f.put("id", r.getId());
    f.put("name", r.getName());
    f.put("status", status(r.getStatus(), r.getStatusText()));
    audit(f, r.getRevision(), r.hasCreatedAt(), r.getCreatedAt(), r.hasUpdatedAt(), r.getUpdatedAt());
    return f;
  }

  static Table routers(List<Router> routers) {
    Table t = new Table("id", "name", "external_gateway_info", "distributed");
    for (Router r : routers) {
      String gateway = r.hasExternalGatewayInfo() ? gateway(r.getExternalGatewayInfo()) : "null";
      t.row(r.getId(), r.getName(), gateway, bool(r.getDistributed()));
    }
    return t;
  }

  /** The interfaces of one router, shown under {@code router-show}. */
  static Table interfaces(List<RouterInterface> interfaces) {
    Table t = new Table("subnet_id", "cidr", "port_id", "ip_address", "mac_address",
        "snat_port_id", "snat_ip_address");
    interfaces.forEach(i -> t.row(i.getSubnetId(), i.getCidr(), i.getPortId(), i.getIpAddress(),
        i.getMacAddress(), i.getSnatPortId(), i.getSnatIpAddress()));
    return t;
  }

  static Map<String, String> port(Port p) {
    Map<String, String> f = new TreeMap<>();
    project(f, p.getProjectId());
    f.put("admin_state_up", bool(p.getAdminStateUp()));
    f.put("binding:host_id", p.getBindingHost());
    f.put("binding:vif_type", p.getBindingVifType());
    f.put("device_id", p.getDeviceId());
    f.put("device_owner", p.getDeviceOwner());
    f.put("fixed_ips", fixedIps(p.getFixedIpsList()));
    f.put("id", p.getId());
    f.put("mac_address", p.getMacAddress());
    f.put("name", p.getName());
    f.put("network_id", p.getNetworkId());
    f.put("status", status(p.getStatus()));
    audit(f, p.getRevision(), p.hasCreatedAt(), p.getCreatedAt(), p.hasUpdatedAt(), p.getUpdatedAt());
    return f;
  }

  static Table ports(List<Port> ports) {
    Table t = new Table("id", "name", "mac_address", "fixed_ips", "binding:host_id", "status");
    ports.forEach(p -> t.row(p.getId(), p.getName(), p.getMacAddress(),
        fixedIps(p.getFixedIpsList()), p.getBindingHost(), status(p.getStatus())));
    return t;
  }

  static Map<String, String> floatingIp(FloatingIp fip) {
    Map<String, String> f = new TreeMap<>();
    project(f, fip.getProjectId());
    f.put("fixed_ip_address", fip.getFixedIpAddress());
    f.put("floating_ip_address", fip.getFloatingIpAddress());
    f.put("floating_network_id", fip.getFloatingNetworkId());
    f.put("floating_port_id", fip.getFloatingPortId());
    f.put("id", fip.getId());
    f.put("port_id", fip.getPortId());
    f.put("router_id", fip.getRouterId());
    f.put("status", status(fip.getStatus(), fip.getStatusText()));
    audit(f, fip.getRevision(), fip.hasCreatedAt(), fip.getCreatedAt(),
        fip.hasUpdatedAt(), fip.getUpdatedAt());
    return f;
  }

  static Table floatingIps(List<FloatingIp> fips) {
    Table t = new Table("id", "fixed_ip_address", "floating_ip_address", "port_id");
    fips.forEach(f -> t.row(f.getId(), f.getFixedIpAddress(), f.getFloatingIpAddress(), f.getPortId()));
    return t;
  }

  static Map<String, String> agent(Agent a) {
    Map<String, String> f = new TreeMap<>();
    f.put("admin_state_up", bool(a.getAdminStateUp()));
    f.put("agent_mode", a.getAgentMode());
    f.put("agent_type", a.getAgentType());
    f.put("alive", bool(a.getAlive()));
    f.put("binary", a.getBinary());
    f.put("heartbeat_timestamp", a.hasLastHeartbeat() ? time(a.getLastHeartbeat()) : "");
    f.put("host", a.getHost());
    f.put("id", a.getId());
    f.put("started_at", a.hasStartedAt() ? time(a.getStartedAt()) : "");
    return f;
  }

  static Table agents(List<Agent> agents) {
    Table t = new Table("id", "agent_type", "host", "alive", "admin_state_up", "binary");
    agents.forEach(a -> t.row(a.getId(), a.getAgentType(), a.getHost(), alive(a.getAlive()),
        bool(a.getAdminStateUp()), a.getBinary()));
    return t;
  }

  static Table routerHosts(List<RouterHost> hosts) {
    // An HA router's SNAT hosts have a role (Neutron's ha_state column); other routers' tables stay as they were.
    if (hosts.stream().anyMatch(h -> h.getHaState() != HaState.HA_STATE_UNSPECIFIED)) {
      Table t = new Table("id", "host", "admin_state_up", "alive", "snat", "ha_state");
      hosts.forEach(h -> t.row(h.getAgentId(), h.getHost(), bool(h.getAdminStateUp()),
          alive(h.getAlive()), bool(h.getSnat()), haState(h.getHaState()) + (h.getDraining() ? " (draining)" : "")));
      return t;
    }
    Table t = new Table("id", "host", "admin_state_up", "alive", "snat");
    hosts.forEach(h -> t.row(h.getAgentId(), h.getHost(), bool(h.getAdminStateUp()),
        alive(h.getAlive()), bool(h.getSnat())));
    return t;
  }

  /** active / standby as Neutron shows ha_state; empty on a host without an SNAT role. */
  static String haState(HaState state) {
    return switch (state) {
      case HA_STATE_ACTIVE -> "active";
      case HA_STATE_STANDBY -> "standby";
      default -> "";
    };
  }

  /** Neutron's project_id row; absent for resources of no project. */
  private static void project(Map<String, String> f, String project) {
    if (!project.isEmpty()) {
      f.put("project_id", project);
    }
  }

  static String bool(boolean value) {
    return value ? "True" : "False";
  }

  static String alive(boolean alive) {
    return alive ? ":-)" : "xxx";
  }

  /** {@code STATUS_ACTIVE} prints as {@code ACTIVE}. */
  static String status(Status status) {
    String name = status.name();
    return name.startsWith("STATUS_") ? name.substring("STATUS_".length()) : name;
  }

  /** The enum when the server sets it, else the text a server from before it sends. */
  @SuppressWarnings("deprecation")
  static String status(Status status, String text) {
    return status == Status.STATUS_UNSPECIFIED && !text.isEmpty() ? text : status(status);
  }

  static String time(Timestamp ts) {
    return Instant.ofEpochSecond(ts.getSeconds()).toString();
  }

  static String fixedIps(List<FixedIp> ips) {
    return ips.stream()
        .map(ip -> object("subnet_id", ip.getSubnetId(), "ip_address", ip.getIpAddress()))
        .collect(Collectors.joining("\n"));
  }

  static String pools(List<AllocationPool> pools) {
    return pools.stream()
        .map(p -> object("start", p.getStart(), "end", p.getEnd()))
        .collect(Collectors.joining("\n"));
  }

  static String gateway(ExternalGatewayInfo g) {
    String ips = g.getExternalFixedIpsList().stream()
        .map(ip -> object("subnet_id", ip.getSubnetId(), "ip_address", ip.getIpAddress()))
        .collect(Collectors.joining(", ", "[", "]"));
    return "{" + quote("network_id") + ": " + quote(g.getNetworkId())
        + ", " + quote("external_fixed_ips") + ": " + ips + "}";
  }

  private static void audit(Map<String, String> f, long revision,
      boolean hasCreated, Timestamp created, boolean hasUpdated, Timestamp updated) {
    f.put("revision_number", Long.toString(revision));
    if (hasCreated) {
      f.put("created_at", time(created));
    }
    if (hasUpdated) {
      f.put("updated_at", time(updated));
    }
  }

  /** A flat JSON object written the way Python's json.dumps writes it, as neutron prints. */
  private static String object(String... keysAndValues) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (i > 0) {
        out.append(", ");
      }
      out.append(quote(keysAndValues[i])).append(": ").append(quote(keysAndValues[i + 1]));
    }
    return out.append('}').toString();
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
